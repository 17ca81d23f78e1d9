import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _korean():
    """Alarm texts follow the active language; Korean is the product's own (and the API's)."""
    with translation.override("ko"):
        yield


@pytest.fixture
def slack_app(settings, db):
    """Slack both ways against the local fake Slack: signing secret, bot token, response URLs."""
    from alarms.tests.fake_slack import TOKEN, serve_fake_slack
    from alarms.tests.slack_requests import SECRET

    fake, stop = serve_fake_slack()
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = fake.url
    settings.SLACK_SIGNING_SECRET = SECRET
    settings.SLACK_RESPONSE_URL_PREFIXES = [fake.hooks_url]
    settings.SITE_URL = "https://partner42.test"
    yield fake
    stop()
