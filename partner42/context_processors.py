from django.conf import settings


def site(request) -> dict:
    return {"DEMO_LOGIN": settings.DEMO_LOGIN and settings.DEBUG}
