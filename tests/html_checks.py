"""HTML checks the page tests share (accessibility wiring of forms)."""

import re
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described_by: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in (values.get("aria-describedby") or "").split():
            self.described_by.append((tag, name))


def dangling_descriptions(html: str) -> list[tuple[str, str]]:
    """(tag, id) for every aria-describedby naming an id that is not on the page."""
    parser = _Ids()
    parser.feed(html)
    return [(tag, name) for tag, name in parser.described_by if name not in parser.ids]


def next_values(html: str) -> list[str]:
    """The values of every hidden `next` field on the page (forms and the language switch)."""
    return [
        value.replace("&amp;", "&")
        for value in re.findall(r'<input type="hidden" name="next" value="([^"]*)"', html)
    ]
