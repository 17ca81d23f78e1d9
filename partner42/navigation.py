"""Where a form sends the student back to: always a page that answers GET.

A form's `next` (and the language switch's) used to be "the current path", which after a form error
is the POST-only action that rendered the errors: the next step then landed on a blank 405. Here
`next` is checked against the URL configuration, and a form error keeps its draft in the session
under a token that the originating page reads from `?draft=`, so the language switch (Django's
`set_language`, which redirects) shows the same draft and errors again.
"""

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

DRAFT_PARAM = "draft"
_SESSION_KEY = "form_drafts"
_KEEP_DRAFTS = 5  # per session: enough for a few tabs, small enough for the session row
_NOT_DRAFTED = {"csrfmiddlewaretoken", "next", "confirm", "language"}


def view_allows_get(view: Any) -> bool:
    """False when the view (or a view it wraps) is limited by `require_http_methods` (also
    `require_POST`) to methods without GET. Django keeps the allowed methods only in the
    decorator's closure, so that is where we read them."""
    func, depth = view, 0
    while func is not None and depth < 16:
        code = getattr(func, "__code__", None)
        for name, cell in zip(
            getattr(code, "co_freevars", ()), getattr(func, "__closure__", None) or (), strict=False
        ):
            if name == "request_method_list":
                try:
                    if "GET" not in cell.cell_contents:
                        return False
                except ValueError:  # an empty cell
                    continue
        func, depth = getattr(func, "__wrapped__", None), depth + 1
    view_class = getattr(view, "view_class", None)
    return view_class is None or hasattr(view_class, "get")


def answers_get(url: str) -> bool:
    """Whether the site's own `url` is a page one can GET (it resolves to a view allowing GET)."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    return view_allows_get(match.func)


def safe_next(request: HttpRequest, target: str | None, default: str) -> str:
    """`target` when it is a page of this site that answers GET, else `default`."""
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and answers_get(target)
    ):
        return target
    return default


def without_draft(url: str) -> str:
    parts = urlsplit(url)
    query = QueryDict(parts.query, mutable=True)
    query.pop(DRAFT_PARAM, None)
    return urlunsplit(parts._replace(query=query.urlencode()))


def with_draft(url: str, token: str | None) -> str:
    url = without_draft(url)
    if not token:
        return url
    return f"{url}{'&' if urlsplit(url).query else '?'}{urlencode({DRAFT_PARAM: token})}"


def current_page(request: HttpRequest) -> str:
    """The page the student is on, to come back to: the path itself when it answers GET (a form
    posted to its own page), else the GET page the form came from (its `next`, else the
    referring page), else the home page."""
    if request.method in ("GET", "HEAD") or answers_get(request.path):
        return without_draft(request.get_full_path())
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        target = safe_next(request, candidate, "")
        if target:
            return without_draft(target)
    return "/"


# --- Drafts of forms that failed validation ---------------------------------------------------


@dataclass(frozen=True)
class Draft:
    form: str
    data: QueryDict
    errors: dict[str, list[str]]

    def bind(self, form_class: type, **kwargs: Any) -> Any:
        """The form bound to the draft, validated again (messages in the current language), with
        the errors only the services knew (a taken nickname …) put back."""
        form = form_class(self.data, **kwargs)
        form.is_valid()
        for field, messages in self.errors.items():
            name = field if field in form.fields else None
            if name is None and field != "__all__":
                continue
            if not form.errors.get(name or "__all__"):
                form.add_error(name, messages)
        return form


def draft_save(request: HttpRequest, *, form: str, data: QueryDict, errors: Any) -> str:
    """Keep what the student typed (and why it was refused); returns the token for `?draft=`."""
    token = secrets.token_urlsafe(8)
    values = {key: data.getlist(key) for key in data if key not in _NOT_DRAFTED}
    drafts = dict(request.session.get(_SESSION_KEY, {}))
    drafts[token] = {
        "form": form,
        "data": values,
        "errors": {field: [str(message) for message in errors[field]] for field in errors},
    }
    request.session[_SESSION_KEY] = dict(list(drafts.items())[-_KEEP_DRAFTS:])
    return token


def draft_load(request: HttpRequest, *, form: str) -> Draft | None:
    """The draft named by `?draft=` when it belongs to `form`."""
    entry = request.session.get(_SESSION_KEY, {}).get(request.GET.get(DRAFT_PARAM, ""))
    if not entry or entry.get("form") != form:
        return None
    data = QueryDict(mutable=True)
    for key, values in entry["data"].items():
        data.setlist(key, values)
    return Draft(form=form, data=data, errors=entry.get("errors", {}))


def draft_discard(request: HttpRequest, *, form: str) -> None:
    """Forget every draft of `form` once it was saved."""
    drafts = request.session.get(_SESSION_KEY)
    if drafts and any(entry.get("form") == form for entry in drafts.values()):
        request.session[_SESSION_KEY] = {
            token: entry for token, entry in drafts.items() if entry.get("form") != form
        }


def draft_page_context(
    request: HttpRequest, *, form: str, bound_form: Any, page: str
) -> dict[str, str]:
    """What a page re-rendered after a form error needs: `page_url`, the GET page it stands for
    (forms' `next`), and `language_next`, that page with the draft (the language switch)."""
    token = draft_save(request, form=form, data=request.POST, errors=bound_form.errors)
    return {"page_url": page, "language_next": with_draft(page, token)}
