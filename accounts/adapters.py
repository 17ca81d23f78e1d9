import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from requests import RequestException

from accounts.providers.fortytwo import handoff
from accounts.providers.fortytwo.views import IntraProfileError
from accounts.services import INTRA_PROVIDER_ID, user_upsert_from_intra
from partner42.errors import ApplicationError

logger = logging.getLogger(__name__)

MSG_CANCELLED = _("42 로그인이 취소되었습니다.")
MSG_BAD_STATE = _("로그인 요청이 만료되었거나 올바르지 않습니다. 다시 시도해 주세요.")
MSG_TOKEN = _("42 인트라에서 로그인 토큰을 받지 못했습니다. 잠시 후 다시 시도해 주세요.")
MSG_PROFILE = _("42 인트라에서 프로필을 가져오지 못했습니다. 잠시 후 다시 시도해 주세요.")
MSG_NO_EMAIL = _(
    "42 계정에 이메일이 없어 로그인할 수 없습니다. 42 인트라에서 이메일을 확인해 주세요."
)
MSG_INACTIVE = _("사용이 중지된 계정입니다. 운영진에게 문의해 주세요.")
MSG_FAILED = _("42 로그인에 실패했습니다. 다시 시도해 주세요.")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """42 login: our service makes or refreshes the user, every failure ends on a clear page.

    The user is created in `pre_social_login` by `user_upsert_from_intra` (matched by the 42 id),
    so allauth always sees an existing account and only logs it in; its signup form, username
    and email-uniqueness rules never apply to students.
    """

    def pre_social_login(self, request, sociallogin) -> None:
        try:
            user, created = user_upsert_from_intra(profile=sociallogin.account.extra_data)
        except ApplicationError as exc:
            logger.warning("42 login refused: %s", exc.message)
            raise ImmediateHttpResponse(
                self._failure(request, sociallogin.state, exc.message)
            ) from exc
        if not user.is_active:
            raise ImmediateHttpResponse(self._failure(request, sociallogin.state, MSG_INACTIVE))
        sociallogin.user = user
        sociallogin.account = SocialAccount.objects.get(
            provider=INTRA_PROVIDER_ID, uid=sociallogin.account.uid
        )
        if handoff.is_handoff(request, sociallogin.state):
            sociallogin.state["next"] = handoff.done_url(
                user_api_id=str(user.api_id), created=created
            )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        extra_context = extra_context or {}
        state = extra_context.get("state")
        message = self._error_message(error, exception, state)
        logger.warning(
            "42 login failed: error=%s exception=%r message=%s", error, exception, message
        )
        raise ImmediateHttpResponse(self._failure(request, state, message))

    @staticmethod
    def _error_message(error, exception, state) -> str:
        if error == AuthError.CANCELLED:
            return MSG_CANCELLED
        if isinstance(exception, IntraProfileError):
            return MSG_NO_EMAIL if exception.reason == "no_email" else MSG_PROFILE
        # The profile request wraps its own errors, so these come from the token exchange.
        if isinstance(exception, OAuth2Error | RequestException):
            return MSG_TOKEN
        if exception is None and state is None:
            return MSG_BAD_STATE
        return MSG_FAILED

    @staticmethod
    def _failure(request, state, message: str) -> HttpResponseRedirect:
        if handoff.is_handoff(request, state):
            handoff.forget(request)
            return handoff.failure_response()
        messages.error(request, message)
        return redirect("accounts:login")
