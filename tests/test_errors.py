"""Every API error is the SPEC section 10 body: message, status, errors, code (in this order)."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone, translation
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from partner42.errors import ErrorCode
from partner42.parsers import MAX_JSON_DEPTH
from tests.urls_errors import TinyThrottle

pytestmark = pytest.mark.urls("tests.urls_errors")

VALIDATION = "/api/test/validation"


@pytest.fixture(autouse=True)
def _english():
    # Reasons come from DRF's messages: compare them in one known language.
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def assert_error(response, code: ErrorCode, errors=(), status=None):
    status = status or code.status
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["message", "status", "errors", "code"]
    assert body == {
        "message": code.message,
        "status": status,
        "errors": list(errors),
        "code": code.code,
    }


def error(field, value, reason):
    return {"field": field, "value": value, "reason": reason}


def post_json(client, body, path=VALIDATION):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_it_renders_an_application_error_with_its_code_and_errors(client):
    response = client.get("/api/test/application-error")

    assert_error(response, ErrorCode.NOT_YOURS, [error("userId", "", "not you")])


def test_it_reports_each_failing_field_with_its_value_and_reason(client):
    response = post_json(
        client, {"title": "x" * 11, "participantNumMax": 1, "email": "not-an-email"}
    )

    assert_error(
        response,
        ErrorCode.INVALID_INPUT,
        [
            error("title", "x" * 11, "Ensure this field has no more than 10 characters."),
            error("participantNumMax", "1", "Ensure this value is greater than or equal to 2."),
            error("email", "not-an-email", "Enter a valid email address."),
        ],
    )


def test_it_reports_a_missing_or_null_field_with_an_empty_value(client):
    response = post_json(client, {"participantNumMax": None})

    assert_error(
        response,
        ErrorCode.INVALID_INPUT,
        [
            error("title", "", "This field is required."),
            error("participantNumMax", "", "This field may not be null."),
        ],
    )


def test_it_names_nested_fields_with_dots_and_list_items_with_brackets(client):
    response = post_json(
        client,
        {
            "title": "ok",
            "matchConditionDto": {"placeList": ["SEOCHO", "MOON"]},
            "members": [{"nickname": "a"}, {}],
        },
    )

    assert_error(
        response,
        ErrorCode.INVALID_INPUT,
        [
            error("matchConditionDto.placeList[1]", "MOON", '"MOON" is not a valid choice.'),
            error("members[1].nickname", "", "This field is required."),
        ],
    )


def test_it_shows_a_rejected_list_as_json(client):
    response = post_json(client, {"title": "ok", "matchConditionDto": {"placeList": []}})

    assert_error(
        response,
        ErrorCode.INVALID_INPUT,
        [error("matchConditionDto.placeList", "[]", "This list may not be empty.")],
    )


def test_it_reports_an_error_of_the_whole_body_without_a_field(client):
    response = post_json(client, {"title": "same"})

    assert_error(response, ErrorCode.INVALID_INPUT, [error("", "", "The title may not be 'same'.")])


def test_it_rejects_unknown_keys_at_every_level(client):
    response = post_json(
        client,
        {"title": "ok", "extra": 5, "matchConditionDto": {"placeList": ["SEOCHO"], "foo": "x"}},
    )

    assert_error(
        response,
        ErrorCode.INVALID_INPUT,
        [
            error("matchConditionDto.foo", "x", "Unknown field."),
            error("extra", "5", "Unknown field."),
        ],
    )


def test_it_reports_unknown_keys_with_the_other_field_errors(client):
    response = post_json(client, {"title": "x" * 11, "extra": None})

    assert_error(
        response,
        ErrorCode.INVALID_INPUT,
        [
            error("title", "x" * 11, "Ensure this field has no more than 10 characters."),
            error("extra", "", "Unknown field."),
        ],
    )


def test_it_echoes_a_lone_surrogate_as_an_escape(client):
    # JSON's \u escapes can spell a lone UTF-16 surrogate, which UTF-8 cannot hold: the fields
    # refuse it, and the error that shows it must still render (it was a 500).
    body = '{"title": "a\\ud800", "\\udc00": "\\ud83d"}'
    response = client.post(VALIDATION, body, content_type="application/json")

    assert_error(
        response,
        ErrorCode.INVALID_INPUT,
        [
            error("title", "a\\ud800", "Surrogate characters are not allowed: U+D800."),
            error("\\udc00", "\\ud83d", "Unknown field."),
        ],
    )


def test_it_answers_c005_to_values_of_the_wrong_json_type(client):
    response = post_json(
        client,
        {
            "title": ["a"],
            "participantNumMax": "many",
            "anonymity": "maybe",
            "matchConditionDto": "SEOCHO",
        },
    )

    assert_error(
        response,
        ErrorCode.WRONG_TYPE,
        [
            error("title", '["a"]', "Not a valid string."),
            error("participantNumMax", "many", "A valid integer is required."),
            error("anonymity", "maybe", "Must be a valid boolean."),
            error(
                "matchConditionDto", "SEOCHO", "Invalid data. Expected a dictionary, but got str."
            ),
        ],
    )


def test_it_answers_c005_to_a_string_where_a_list_is_expected(client):
    response = post_json(client, {"title": "ok", "matchConditionDto": {"placeList": "SEOCHO"}})

    assert_error(
        response,
        ErrorCode.WRONG_TYPE,
        [
            error(
                "matchConditionDto.placeList",
                "SEOCHO",
                'Expected a list of items but got type "str".',
            )
        ],
    )


def test_it_answers_c005_to_a_body_that_is_not_an_object(client):
    response = post_json(client, [1, 2])

    assert_error(
        response,
        ErrorCode.WRONG_TYPE,
        [error("", "", "Invalid data. Expected a dictionary, but got list.")],
    )


def test_it_takes_rejected_values_from_form_data_too(client):
    response = client.post(VALIDATION, {"title": "x" * 11}, format="multipart")

    assert_error(
        response,
        ErrorCode.INVALID_INPUT,
        [error("title", "x" * 11, "Ensure this field has no more than 10 characters.")],
    )


def test_it_answers_c007_to_malformed_json(client):
    response = client.post(VALIDATION, '{"title": ', content_type="application/json")

    assert_error(response, ErrorCode.MALFORMED_JSON)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH, 900, 100_000])
def test_it_answers_c007_to_json_nested_too_deep(client, depth):
    # Python's json module recurses once per level: this was a RecursionError, so a 500.
    body = '{"title": ' + "[" * depth + "]" * depth + "}"
    response = client.post(VALIDATION, body, content_type="application/json")

    assert_error(response, ErrorCode.MALFORMED_JSON)


def test_it_takes_json_nested_as_deep_as_the_limit(client):
    depth = MAX_JSON_DEPTH - 1  # under the body object
    body = '{"title": ' + "[" * depth + "]" * depth + "}"
    response = client.post(VALIDATION, body, content_type="application/json")

    assert response.json()["code"] == ErrorCode.WRONG_TYPE.code


def test_it_answers_415_to_an_unsupported_content_type(client):
    response = client.post(VALIDATION, "<title/>", content_type="application/xml")

    assert_error(response, ErrorCode.UNSUPPORTED_MEDIA_TYPE)


def test_it_answers_406_to_an_unacceptable_accept_header(client):
    response = client.get("/api/test/json-only", HTTP_ACCEPT="text/csv")

    assert_error(response, ErrorCode.NOT_ACCEPTABLE)


def test_it_answers_405_to_a_method_the_view_lacks(client):
    response = client.delete(VALIDATION)

    assert_error(response, ErrorCode.METHOD_NOT_ALLOWED)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/test/http404", ErrorCode.NOT_FOUND),
        ("/api/test/django-permission-denied", ErrorCode.FORBIDDEN),
        ("/api/test/drf-permission-denied", ErrorCode.FORBIDDEN),
    ],
)
def test_it_maps_django_and_drf_exceptions(client, path, code):
    assert_error(client.get(path), code)


def test_it_answers_another_api_exception_with_its_status(client):
    response = client.get("/api/test/other-api-exception")

    assert_error(response, ErrorCode.INVALID_INPUT, status=409)


def test_it_answers_401_au000_without_credentials(client):
    response = client.get("/api/test/private")

    assert_error(response, ErrorCode.NOT_AUTHENTICATED)
    assert response["WWW-Authenticate"] == "Bearer"


def test_it_answers_401_au001_to_a_forged_token(client):
    client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token", HTTP_ACCEPT_LANGUAGE="en")

    response = client.get("/api/test/private")

    assert_error(response, ErrorCode.INVALID_ACCESS_TOKEN)
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def _expired_token(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=15))
    return str(token)


def test_it_answers_401_au001_to_an_expired_token(client, alice):
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {_expired_token(alice)}", HTTP_ACCEPT_LANGUAGE="en"
    )

    response = client.get("/api/test/private")

    assert_error(response, ErrorCode.INVALID_ACCESS_TOKEN)
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_it_answers_simplejwt_invalid_token_as_au001(client):
    response = client.get("/api/test/invalid-token")

    assert_error(response, ErrorCode.INVALID_ACCESS_TOKEN)
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_it_answers_403_au001_with_the_legacy_setting(client, alice, settings):
    settings.LEGACY_EXPIRED_TOKEN_STATUS = 403
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {_expired_token(alice)}", HTTP_ACCEPT_LANGUAGE="en"
    )

    response = client.get("/api/test/private")

    assert_error(response, ErrorCode.INVALID_ACCESS_TOKEN, status=403)


@pytest.fixture
def tiny_throttle():
    cache.delete(TinyThrottle.cache_key)
    yield
    cache.delete(TinyThrottle.cache_key)


def test_it_answers_429_c008_with_retry_after_when_throttled(client, tiny_throttle):
    assert client.get("/api/test/throttled").status_code == 200

    response = client.get("/api/test/throttled")

    assert_error(response, ErrorCode.THROTTLED)
    assert int(response["Retry-After"]) >= 1


def test_it_answers_413_c011_to_a_body_over_the_upload_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post_json(client, {"title": "x" * 2000})

    assert_error(response, ErrorCode.PAYLOAD_TOO_LARGE)


def test_it_answers_400_c001_to_too_many_form_fields(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2

    response = client.post(
        VALIDATION, "a=1&b=2&c=3", content_type="application/x-www-form-urlencoded"
    )

    assert_error(response, ErrorCode.INVALID_INPUT)


def test_it_answers_the_c004_body_to_an_unhandled_api_exception():
    client = APIClient(raise_request_exception=False)

    response = client.get("/api/test/crash")

    assert_error(response, ErrorCode.INTERNAL)


def test_it_answers_the_c003_body_to_an_unknown_api_path(client):
    response = client.get("/api/no-such-thing/")

    assert_error(response, ErrorCode.NOT_FOUND)


def test_it_answers_an_html_page_to_an_unknown_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"404" in response.content
    assert b'id="error-title"' in response.content  # our template, not the fallback


def test_it_answers_an_html_page_when_a_page_is_forbidden(client):
    response = client.get("/test/denied-page")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert b"403" in response.content
    assert b'id="error-title"' in response.content  # our template, not the fallback


def test_it_answers_an_html_page_when_a_page_crashes():
    client = APIClient(raise_request_exception=False)

    response = client.get("/test/crash-page")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"500" in response.content
    assert b'id="error-title"' in response.content  # our template, not the fallback
