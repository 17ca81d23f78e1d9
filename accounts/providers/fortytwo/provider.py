from allauth.socialaccount.providers.base import AuthProcess, ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from accounts.providers.fortytwo import handoff
from accounts.providers.fortytwo.views import FortyTwoOAuth2Adapter


class FortyTwoAccount(ProviderAccount):
    def get_avatar_url(self) -> str | None:
        image = self.account.extra_data.get("image")
        link = image.get("link") if isinstance(image, dict) else None
        return link or self.account.extra_data.get("image_url")

    def get_profile_url(self) -> str | None:
        login = self.account.extra_data.get("login")
        return f"https://profile.intra.42.fr/users/{login}" if login else None

    def to_str(self) -> str:
        return self.account.extra_data.get("login") or super().to_str()


class FortyTwoProvider(OAuth2Provider):
    id = "fortytwo"
    name = "42 Intra"
    account_class = FortyTwoAccount
    oauth2_adapter_class = FortyTwoOAuth2Adapter

    def get_default_scope(self) -> list[str]:
        return ["public"]

    def get_redirect_from_request_kwargs(self, request) -> dict:
        # 42 is our only way in: always a login (never "connect"/"redirect"), always the
        # configured scope, whatever the query string asks for.
        kwargs = super().get_redirect_from_request_kwargs(request)
        kwargs["process"] = AuthProcess.LOGIN
        kwargs["scope"] = self.get_scope()
        return kwargs

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        handoff.remember(request, handoff=bool((data or {}).get("handoff")))
        return super().redirect(request, process, next_url=next_url, data=data, **kwargs)

    def extract_uid(self, data: dict) -> str:
        return str(data["id"])

    def extract_common_fields(self, data: dict) -> dict:
        return {
            "username": data.get("login"),
            "email": data.get("email") or "",
        }


provider_classes = [FortyTwoProvider]
