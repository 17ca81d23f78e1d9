"""Request parsers shared by the apps' APIs."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Deeper than any body of ours (the deepest, a review, is 3), far below Python's recursion limit.
MAX_JSON_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (C007) JSON nested deeper than MAX_JSON_DEPTH.

    Python's json module recurses once per level, in parsing and again in showing a rejected
    value: `[[[[...` a few thousand deep was a RecursionError, so a 500.
    Use it instead of DRF's everywhere (settings and views' `parser_classes`).
    """

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deep") from exc
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError("JSON nested too deep")
        return data


def _depth_exceeds(data: Any, limit: int) -> bool:
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return False


class PlainTextJSONParser(parsers.BaseParser):
    """The newer React client posts JSON.stringify(...) as text/plain (API.md Q5).

    Set it next to JSONParser on the views that take a body from that client:
    `parser_classes = [JSONParser, PlainTextJSONParser]`.
    """

    media_type = "text/plain"

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        return JSONParser().parse(stream, "application/json", parser_context)
