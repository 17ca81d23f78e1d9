"""Request parsers shared by the apps' APIs."""

import io
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError, UnsupportedMediaType

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
    """A JSON document sent as text/plain (`fetch` with a string body, API.md Q5)."""

    media_type = "text/plain"

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        return JSONParser().parse(stream, "application/json", parser_context)


# A form body never starts with one of these (a field name would have to); a JSON document the
# client built with JSON.stringify (object, array, or the bare string of a comment edit) does.
_JSON_STARTS = (b"{", b"[", b'"')


class FormOrJSONParser(parsers.FormParser):
    """`application/x-www-form-urlencoded` holding either a real form or a JSON document.

    The React client's axios 1.1.3 sends the strings it builds with `JSON.stringify` under this
    type (API.md Q5): a body that starts like a JSON document is parsed as JSON (C007 if it is
    not valid), anything else as the form it claims to be.
    """

    # False: the view takes JSON only, and a real form stays a 415 C009, as before.
    accepts_forms = True

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        body = stream.read() if stream is not None else b""
        if body.lstrip().startswith(_JSON_STARTS):
            return JSONParser().parse(io.BytesIO(body), "application/json", parser_context)
        if not self.accepts_forms:
            raise UnsupportedMediaType(media_type)
        return super().parse(io.BytesIO(body), media_type, parser_context)


class JSONUnderFormTypeParser(FormOrJSONParser):
    """The form content type only when its body is a JSON document (JSON-only views)."""

    accepts_forms = False


# What the API's views take: every JSON body also under the two content types the React client
# uses for it. Views that set `parser_classes` pick one of these lists, never DRF's classes.
JSON_PARSERS = [JSONParser, PlainTextJSONParser, JSONUnderFormTypeParser]
API_PARSERS = [JSONParser, PlainTextJSONParser, FormOrJSONParser, parsers.MultiPartParser]
