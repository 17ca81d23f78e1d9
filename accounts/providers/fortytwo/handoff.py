"""The React client's hand-off (SPEC 2): a 42 login that ends on FRONTEND_URL with tokens.

The flag travels in allauth's state (`data["handoff"]`), which survives the logout allauth does
when another user was signed in. The session keeps a copy only for the one failure that has no
state to read: a callback whose `state` is missing or unknown.

After a successful login allauth redirects to the `done` view with a signed, short-lived ticket
naming the user and whether the account was just created; the session cannot carry that because
allauth may flush it between our hook and the redirect.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

SESSION_KEY = "fortytwo_handoff"
_TICKET_SALT = "accounts.oauth_handoff"
_TICKET_MAX_AGE_SECONDS = 120


def remember(request: HttpRequest, *, handoff: bool) -> None:
    """Called on every 42 login start, so a page login clears an abandoned hand-off."""
    if handoff:
        request.session[SESSION_KEY] = True
    else:
        request.session.pop(SESSION_KEY, None)


def is_handoff(request: HttpRequest, state: dict | None) -> bool:
    if state is not None:
        return bool((state.get("data") or {}).get("handoff"))
    return bool(request.session.get(SESSION_KEY))


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def done_url(*, user_api_id: str, created: bool) -> str:
    ticket = signing.dumps({"user": user_api_id, "created": created}, salt=_TICKET_SALT)
    return f"{reverse('accounts:oauth_handoff_done')}?{urlencode({'ticket': ticket})}"


def read_ticket(ticket: str) -> tuple[str, bool] | None:
    try:
        data = signing.loads(ticket, salt=_TICKET_SALT, max_age=_TICKET_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), str):
        return None
    return data["user"], bool(data.get("created"))


def frontend_redirect(params: list[tuple[str, str]]) -> HttpResponseRedirect:
    """To FRONTEND_URL with `params` in this order: the only target a hand-off ever has."""
    base = settings.FRONTEND_URL
    separator = "&" if "?" in base else "?"
    return HttpResponseRedirect(f"{base}{separator}{urlencode(params)}")


def failure_response() -> HttpResponseRedirect:
    return frontend_redirect([("login_success", "false")])
