"""The API's JSON renderer: DRF's JSONRenderer, written by orjson.

The output means the same as DRF's (same settings: UTF-8 text unescaped, compact separators,
U+2028/U+2029 escaped so that the body stays a JavaScript subset), with DRF's own encoder for
everything orjson does not write the same way itself: dates, times and datetimes (DRF's
millisecond precision and `Z` for UTC), Decimal, lazy translations, generators, sets, and the
dataclasses DRF refuses. UUIDs and str/int/dict/list subclasses come out as DRF wrote them.

Anything orjson refuses (a lone surrogate, an integer beyond 64 bits, a non-string key it cannot
write) goes to DRF's renderer unchanged, which answers as it always did (the error handler has
already made error bodies encodable). So does a request for an indented body (`; indent=4`).

One difference, on purpose: a NaN or infinite float, which MariaDB cannot store and no view
produces, is written as `null` where DRF's strict mode raised (a 500).

`RenderedJSON` is a body rendered earlier by this renderer (a cached response): it is written as
it is.
"""

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer

_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
_default = JSONRenderer.encoder_class().default  # DRF's, for the types it writes its own way
_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()


class RenderedJSON(bytes):
    """A response body already rendered by `render_json` (the same bytes the renderer writes)."""


def render_json(data: Any) -> bytes:
    """`data` as OrjsonRenderer writes it without indentation (for bodies rendered ahead)."""
    try:
        body = orjson.dumps(data, default=_default, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return JSONRenderer().render(data)
    if _LINE_SEPARATOR in body or _PARAGRAPH_SEPARATOR in body:
        body = body.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
    return body


class OrjsonRenderer(JSONRenderer):
    """DRF's JSONRenderer (same media type, format and options), written by orjson."""

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            if isinstance(data, RenderedJSON):
                data = orjson.loads(bytes(data))
            return super().render(data, accepted_media_type, renderer_context)
        if isinstance(data, RenderedJSON):
            return bytes(data)
        return render_json(data)
