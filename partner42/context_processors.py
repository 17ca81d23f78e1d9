from partner42.demo import demo_login_enabled


def site(request) -> dict:
    return {"DEMO_LOGIN": demo_login_enabled()}
