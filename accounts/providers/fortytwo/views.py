from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.conf import settings


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

    def complete_login(self, request, app, token, **kwargs):
        response = (
            get_adapter()
            .get_requests_session()
            .get(self.profile_url, headers={"Authorization": f"Bearer {token.token}"})
        )
        response.raise_for_status()
        return self.get_provider().sociallogin_from_response(request, response.json())


oauth2_login = OAuth2LoginView.adapter_view(FortyTwoOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(FortyTwoOAuth2Adapter)
