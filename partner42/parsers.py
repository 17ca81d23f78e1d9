"""Request parsers shared by the apps' APIs."""

from typing import Any

from rest_framework.parsers import BaseParser, JSONParser


class PlainTextJSONParser(BaseParser):
    """The newer React client posts JSON.stringify(...) as text/plain (API.md Q5).

    Set it next to JSONParser on the views that take a body from that client:
    `parser_classes = [JSONParser, PlainTextJSONParser]`.
    """

    media_type = "text/plain"

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        return JSONParser().parse(stream, "application/json", parser_context)
