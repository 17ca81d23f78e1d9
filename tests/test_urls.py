"""The URL configuration: every route answers its own paths, and the API is looked up first.

Django tries the patterns in order and takes the first that matches, so the order of
`partner42/urls.py` is both a rule (a route listed after one that matches its paths is dead) and
a cost (the JSON API, the most requested, used to be tried after every page pattern).
"""

import re
import uuid

from django.urls import URLPattern, URLResolver, get_resolver, resolve

# A sample value for each path converter the project uses.
_SAMPLES = {"int": "7", "str": "sample", "slug": "sample", "path": "a/b", "uuid": str(uuid.uuid4())}
_CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _sample_path(route: str) -> str | None:
    if route.startswith("^"):  # a regex route (none of ours): not sampled
        return None

    def value(match: re.Match) -> str:
        return _SAMPLES.get(match["kind"] or "str", "sample")

    return "/" + _CONVERTER.sub(value, route)


def test_no_route_is_hidden_by_one_listed_before_it():
    hidden = []
    for route in _routes():
        path = _sample_path(route)
        if path is None or route.startswith("admin/"):
            continue  # the admin's own catch-all routes are Django's
        if resolve(path).route != route:
            hidden.append((route, resolve(path).route))
    assert hidden == []


def test_it_looks_up_the_api_before_the_pages():
    routes = list(_routes())
    first_api = next(i for i, route in enumerate(routes) if route.startswith("api/"))
    first_page = next(i for i, route in enumerate(routes) if not route.startswith("api/"))
    assert first_api < first_page
