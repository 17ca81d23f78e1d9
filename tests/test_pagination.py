"""Spring Slice pagination: page, size, sort in; the Slice JSON of API.md section 1 out."""

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.models import User
from partner42.errors import ErrorCode, InvalidInputError
from partner42.pagination import SliceParams, slice_body, slice_params, slice_queryset

pytestmark = pytest.mark.urls("tests.urls_errors")

USERS = "/api/test/users"
SORT_FIELDS = {"nickname": "nickname", "createdAt": "date_joined"}


@pytest.fixture
def trio(alice, bob, charlie):
    return [alice, bob, charlie]


def params_for(query: str) -> SliceParams:
    request = Request(APIRequestFactory().get(f"/x?{query}"))
    return slice_params(request, sort_fields=SORT_FIELDS, default_order=["-date_joined"])


def unsorted() -> dict:
    return {"empty": True, "sorted": False, "unsorted": True}


def test_it_answers_the_whole_slice_shape_with_defaults(api_client, trio):
    response = api_client.get(USERS)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == [
        "content",
        "pageable",
        "first",
        "last",
        "size",
        "number",
        "sort",
        "numberOfElements",
        "empty",
    ]
    assert body == {
        "content": ["charlie", "bob", "alice"],
        "pageable": {
            "sort": unsorted(),
            "offset": 0,
            "pageNumber": 0,
            "pageSize": 20,
            "paged": True,
            "unpaged": False,
        },
        "first": True,
        "last": True,
        "size": 20,
        "number": 0,
        "sort": unsorted(),
        "numberOfElements": 3,
        "empty": False,
    }


def test_it_slices_pages_and_knows_whether_a_next_one_exists(api_client, trio):
    first = api_client.get(USERS, {"size": 2, "sort": "nickname,asc"}).json()
    second = api_client.get(USERS, {"size": 2, "page": 1, "sort": "nickname,asc"}).json()

    assert (first["content"], first["first"], first["last"]) == (["alice", "bob"], True, False)
    assert (second["content"], second["first"], second["last"]) == (["charlie"], False, True)
    assert second["pageable"]["offset"] == 2
    assert second["pageable"]["pageNumber"] == second["number"] == 1
    assert second["numberOfElements"] == 1


def test_it_answers_an_empty_slice_past_the_end(api_client, trio):
    body = api_client.get(USERS, {"page": 5}).json()

    assert body["content"] == []
    assert body["empty"] is True
    assert body["last"] is True
    assert body["numberOfElements"] == 0


def test_it_sorts_by_the_requested_fields(api_client, trio):
    body = api_client.get(USERS, {"sort": "nickname,desc"}).json()

    assert body["content"] == ["charlie", "bob", "alice"]
    assert body["sort"] == {"empty": False, "sorted": True, "unsorted": False}
    assert body["pageable"]["sort"] == body["sort"]


def test_it_maps_api_fields_and_keeps_the_default_order_as_tie_breaker():
    assert params_for("sort=nickname,DESC&sort=createdAt").order_by == [
        "-nickname",
        "date_joined",
        "-pk",
    ]
    assert params_for("").order_by == ["-date_joined", "-pk"]
    assert params_for("sort=nickname,createdAt,desc").order_by == [
        "-nickname",
        "-date_joined",
        "-pk",
    ]


def test_it_reads_page_and_size():
    params = params_for("page=3&size=7")

    assert (params.page, params.size, params.offset) == (3, 7, 21)
    assert params.is_sorted is False


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("page=-1", "page", "-1"),
        ("page=abc", "page", "abc"),
        ("page=1.5", "page", "1.5"),
        ("page=99999999999999999999", "page", "99999999999999999999"),
        ("size=0", "size", "0"),
        ("size=101", "size", "101"),
        ("size=x", "size", "x"),
        ("sort=password", "sort", "password"),
        ("sort=nickname,up", "sort", "nickname,up"),
        ("sort=nickname;drop", "sort", "nickname;drop"),
    ],
)
def test_it_answers_400_c001_naming_a_bad_parameter(api_client, db, query, field, value):
    response = api_client.get(f"{USERS}?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == ErrorCode.INVALID_INPUT.code
    assert body["status"] == 400
    assert [(e["field"], e["value"]) for e in body["errors"]] == [(field, value)]
    assert body["errors"][0]["reason"]


def test_it_raises_invalid_input_for_an_unknown_sort_field():
    with pytest.raises(InvalidInputError):
        params_for("sort=is_staff")


def test_it_fetches_a_slice_in_one_query(trio, django_assert_num_queries):
    params = params_for("size=2&sort=nickname")

    with django_assert_num_queries(1):
        items, has_next = slice_queryset(User.objects.all(), params)

    assert [u.nickname for u in items] == ["alice", "bob"]
    assert has_next is True


def test_it_builds_the_body_from_content_and_params():
    body = slice_body([1, 2], SliceParams(page=1, size=2, order_by=["pk"]), has_next=True)

    assert body["first"] is False
    assert body["last"] is False
    assert body["pageable"]["offset"] == 2
    assert body["empty"] is False
