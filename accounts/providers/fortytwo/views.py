import logging

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.urls import reverse
from requests import RequestException

logger = logging.getLogger(__name__)


class IntraProfileError(ProviderException):
    """`/v2/me` failed or answered a profile we cannot log in with.

    `reason` ("unavailable" or "no_email") selects the message the login page shows.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


class FortyTwoOAuth2Adapter(OAuth2Adapter):
    provider_id = "fortytwo"

    @property
    def access_token_url(self) -> str:
        return f"{settings.FORTYTWO_API_URL}/oauth/token"

    @property
    def authorize_url(self) -> str:
        return f"{settings.FORTYTWO_API_URL}/oauth/authorize"

    @property
    def profile_url(self) -> str:
        return f"{settings.FORTYTWO_API_URL}/v2/me"

    def get_callback_url(self, request, app) -> str:
        # The redirect URI is the original service's callback path, the one already registered
        # at 42 for it; allauth's own callback path stays routed but is never sent. The same
        # URI is used for authorize and for the token exchange, as OAuth2 requires.
        url = reverse("accounts:oauth_callback_legacy")
        return build_absolute_uri(request, url, self.redirect_uri_protocol)

    def complete_login(self, request, app, token, **kwargs):
        try:
            response = (
                get_adapter()
                .get_requests_session()
                .get(self.profile_url, headers={"Authorization": f"Bearer {token.token}"})
            )
            response.raise_for_status()
            profile = response.json()
        except (RequestException, ValueError) as exc:
            logger.warning("42 intra profile request failed: %s", exc)
            raise IntraProfileError("unavailable", str(exc)) from exc
        if not isinstance(profile, dict) or not profile.get("id") or not profile.get("login"):
            raise IntraProfileError("unavailable", "profile without id or login")
        if not profile.get("email"):
            raise IntraProfileError("no_email", str(profile.get("login")))
        return self.get_provider().sociallogin_from_response(request, profile)


oauth2_login = OAuth2LoginView.adapter_view(FortyTwoOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(FortyTwoOAuth2Adapter)
