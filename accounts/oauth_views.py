"""The React client's OAuth hand-off (SPEC 2, API.md 3) on the original's paths.

`oauth_handoff_start` starts allauth's 42 login; the adapter sends a successful login to
`oauth_handoff_done`, which issues the JWT pair and leaves for FRONTEND_URL. Neither view reads a
redirect target from the request: FRONTEND_URL is the only place a hand-off ever ends.
"""

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django.views.decorators.http import require_GET

from accounts.providers.fortytwo import handoff
from accounts.providers.fortytwo.provider import FortyTwoProvider
from accounts.tokens import issue_token_pair, set_refresh_cookie


@require_GET
def oauth_handoff_start(request):
    provider = get_adapter(request).get_provider(request, FortyTwoProvider.id)
    return provider.redirect(request, process=AuthProcess.LOGIN, data={"handoff": True})


@require_GET
def oauth_handoff_done(request):
    handoff.forget(request)
    ticket = handoff.read_ticket(request.GET.get("ticket", ""))
    user = request.user
    if ticket is None or not user.is_authenticated or ticket[0] != str(user.api_id):
        return handoff.failure_response()
    _, created = ticket
    pair = issue_token_pair(user=user)
    response = handoff.frontend_redirect(
        [
            ("access_token", pair.access),
            ("create_flag", "true" if created else "false"),
            ("userId", str(user.api_id)),
        ]
    )
    set_refresh_cookie(response, pair.refresh)
    return response
