"""partner42.renderers.OrjsonRenderer writes what DRF's JSONRenderer wrote, byte for byte where
the bytes are determined (everything but the spelling of floats), and fails where it failed."""

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from partner42.renderers import OrjsonRenderer, RenderedJSON, render_json

SEOUL = timezone(timedelta(hours=9))

SAMPLES = {
    "korean and emoji": {"nickname": "익명", "title": "점심 🍜 같이 해요"},
    "escapes": {"text": 'quote " backslash \\ slash / tab \t newline \n cr \r bell \x07 nul \x00'},
    "more controls": "\b\f\x1f\x7f",
    "javascript line breaks": "a\u2028b\u2029c",
    "numbers": [0, -1, 2**63 - 1, -(2**63), True, False, None],
    "nesting and order": {"z": [1, {"b": 2, "a": [None, "x"]}], "a": {}, "m": []},
    "tuples and sets": {"t": (1, 2), "s": {3}, "f": frozenset()},
    "non-string keys": {1: "int", None: "none", False: "bool", 2.5: "float"},
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "aware datetimes": [
        datetime(2026, 1, 5, 12, 30, tzinfo=UTC),
        datetime(2026, 1, 5, 12, 30, 1, 123456, tzinfo=UTC),
        datetime(2026, 1, 5, 21, 30, 0, 500, tzinfo=SEOUL),
    ],
    "naive datetimes": [datetime(2026, 1, 5), datetime(2026, 1, 5, 0, 0, 0, 1000)],
    "dates and times": [date(2023, 1, 5), time(9, 5), time(9, 5, 7, 250000)],
    "timedelta": timedelta(minutes=90, microseconds=5),
    "decimal": Decimal("1.25"),
    "lazy translation": gettext_lazy("Unknown field."),
    "generator": (n for n in range(3)),
    "str subclass": type("Sub", (str,), {})("sub"),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_it_writes_the_bytes_drf_wrote(name):
    data = SAMPLES[name]
    if name == "generator":
        expected = JSONRenderer().render(n for n in range(3))
        assert OrjsonRenderer().render(n for n in range(3)) == expected
        return
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)


def test_it_writes_floats_of_the_same_value():
    data = [0.1, 1.5, -2.75, 1e16, 1e-7, 123456.789, 37.4979502]
    assert json.loads(OrjsonRenderer().render(data)) == json.loads(JSONRenderer().render(data))


def test_it_uses_drfs_settings():
    # The options this renderer copies; a change of DRF's JSON settings must change it too.
    assert JSONRenderer.ensure_ascii is False
    assert JSONRenderer.compact is True
    assert OrjsonRenderer.media_type == "application/json"
    assert OrjsonRenderer.charset is None
    assert settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == [
        "partner42.renderers.OrjsonRenderer"
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"title": "a\ud800"},  # a lone surrogate: UTF-8 cannot hold it
        {"\udc00": 1},
        {"big": 2**64},  # beyond orjson's integers: DRF writes it
        {"dataclass": dataclasses.make_dataclass("D", ["x"])(1)},  # DRF refuses it
    ],
)
def test_it_answers_like_drf_where_orjson_refuses(data):
    try:
        expected = JSONRenderer().render(data)
    except Exception as exc:  # the same exception, raised by DRF's own renderer
        with pytest.raises(type(exc)):
            OrjsonRenderer().render(data)
    else:
        assert OrjsonRenderer().render(data) == expected


def test_it_indents_on_request_like_drf():
    data = {"a": [1, {"b": "익명"}], "when": datetime(2026, 1, 5, tzinfo=UTC)}
    for media_type in ("application/json; indent=4", "application/json; indent=2"):
        assert OrjsonRenderer().render(data, media_type) == JSONRenderer().render(data, media_type)
    rendered = RenderedJSON(render_json(data))
    assert OrjsonRenderer().render(rendered, "application/json; indent=4") == (
        JSONRenderer().render(json.loads(rendered), "application/json; indent=4")
    )


def test_it_writes_an_empty_body_for_none():
    assert OrjsonRenderer().render(None) == b""


def test_it_writes_rendered_bodies_as_they_are():
    body = render_json({"a": "익명"})
    assert OrjsonRenderer().render(RenderedJSON(body)) == body
    assert body == JSONRenderer().render({"a": "익명"})


@pytest.mark.django_db
def test_the_api_answers_through_it():
    response = APIClient().get("/api/articles?size=nope")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.accepted_renderer, OrjsonRenderer)
    assert response.content == JSONRenderer().render(response.data)
