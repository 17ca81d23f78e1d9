from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from accounts.providers.fortytwo.views import FortyTwoOAuth2Adapter


class FortyTwoAccount(ProviderAccount):
    def get_avatar_url(self) -> str | None:
        return (self.account.extra_data.get("image") or {}).get("link")

    def to_str(self) -> str:
        return self.account.extra_data.get("login") or super().to_str()


class FortyTwoProvider(OAuth2Provider):
    id = "fortytwo"
    name = "42 Intra"
    account_class = FortyTwoAccount
    oauth2_adapter_class = FortyTwoOAuth2Adapter

    def get_default_scope(self) -> list[str]:
        return ["public"]

    def extract_uid(self, data: dict) -> str:
        return str(data["id"])

    def extract_common_fields(self, data: dict) -> dict:
        return {
            "username": data.get("login"),
            "email": data.get("email") or "",
        }


provider_classes = [FortyTwoProvider]
