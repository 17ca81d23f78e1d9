"""Spring `Slice` pagination of the original API (API.md section 1).

Query: `page` (0-based), `size` (default 20, at most 100), `sort=<apiField>[,asc|desc]`, repeatable.
A slice knows whether a next one exists (it fetches one row more) but never counts the rows.

    params = slice_params(request, sort_fields={"createdAt": "created_at"}, default_order=["-id"])
    items, has_next = slice_queryset(room_list(...), params)
    return Response(slice_body([RoomOutput(i).data for i in items], params, has_next))
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from partner42.errors import InvalidInputError

DEFAULT_SIZE = 20
MAX_SIZE = 100
# MariaDB takes a 64-bit OFFSET; far beyond any real page, and checked so it never overflows.
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True)
class SliceParams:
    page: int
    size: int
    order_by: list[str]
    # Whether the client asked for an order (Spring's `sort.sorted`); default_order does not count.
    is_sorted: bool = field(default=False)

    @property
    def offset(self) -> int:
        return self.page * self.size


def slice_params(request, *, sort_fields: dict[str, str], default_order: list[str]) -> SliceParams:
    """Read page, size and sort from the query; a bad value is a 400 C001 naming the parameter.

    `sort_fields` maps the API's field names to ORM lookups; `default_order` (ORM, `-` for
    descending) follows the client's order as tie-breaker, and the primary key ends every order
    so that slices never overlap or skip rows.
    """
    query = request.query_params
    page = _int_param(query, "page", default=0, minimum=0)
    size = _int_param(query, "size", default=DEFAULT_SIZE, minimum=1, maximum=MAX_SIZE)
    if page * size > MAX_OFFSET:
        raise _bad_param("page", query.get("page"), _("This page is too far."))

    order_by: list[str] = []
    for raw in query.getlist("sort"):
        order_by.extend(_parse_sort(raw, sort_fields))
    is_sorted = bool(order_by)
    order_by.extend(default_order)
    order_by.append("-pk" if order_by and order_by[0].startswith("-") else "pk")
    return SliceParams(page=page, size=size, order_by=_dedupe(order_by), is_sorted=is_sorted)


def slice_queryset(qs: QuerySet, params: SliceParams) -> tuple[list, bool]:
    rows = list(qs.order_by(*params.order_by)[params.offset : params.offset + params.size + 1])
    return rows[: params.size], len(rows) > params.size


def slice_body(content: list, params: SliceParams, has_next: bool) -> dict:
    return {
        "content": content,
        "pageable": {
            "sort": _sort_body(params),
            "offset": params.offset,
            "pageNumber": params.page,
            "pageSize": params.size,
            "paged": True,
            "unpaged": False,
        },
        "first": params.page == 0,
        "last": not has_next,
        "size": params.size,
        "number": params.page,
        "sort": _sort_body(params),
        "numberOfElements": len(content),
        "empty": not content,
    }


def _sort_body(params: SliceParams) -> dict:
    return {
        "empty": not params.is_sorted,
        "sorted": params.is_sorted,
        "unsorted": not params.is_sorted,
    }


def _int_param(query, name: str, *, default: int, minimum: int, maximum: int | None = None) -> int:
    raw = query.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise _bad_param(name, raw, _("A valid integer is required.")) from None
    if value < minimum:
        raise _bad_param(
            name,
            raw,
            _("Ensure this value is greater than or equal to {min_value}.").format(
                min_value=minimum
            ),
        )
    if maximum is not None and value > maximum:
        raise _bad_param(
            name,
            raw,
            _("Ensure this value is less than or equal to {max_value}.").format(max_value=maximum),
        )
    return value


def _parse_sort(raw: str, sort_fields: dict[str, str]) -> list[str]:
    """Spring's syntax: `field`, `field,desc`, or several fields sharing one direction."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    descending = False
    if parts and parts[-1].lower() in ("asc", "desc"):
        descending = parts.pop().lower() == "desc"
    lookups = []
    for name in parts:
        if name not in sort_fields:
            raise _bad_param("sort", raw, _("Unknown sort field: %(name)s.") % {"name": name})
        lookups.append(("-" if descending else "") + sort_fields[name])
    return lookups


def _dedupe(order_by: list[str]) -> list[str]:
    """Keep the first mention of each field: a later one cannot change the order."""
    seen: set[str] = set()
    result = []
    for item in order_by:
        name = item.lstrip("-")
        if name in ("pk", "id"):
            name = "pk"
        if name not in seen:
            seen.add(name)
            result.append(item)
    return result


def _bad_param(name: str, value: str | None, reason: str) -> InvalidInputError:
    return InvalidInputError(errors=[{"field": name, "value": value or "", "reason": reason}])


def slice_schema(name: str, item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The OpenAPI shape of a Slice of `item` (documentation only: views build plain dicts)."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "content": item(many=True),
            "first": serializers.BooleanField(),
            "last": serializers.BooleanField(),
            "size": serializers.IntegerField(),
            "number": serializers.IntegerField(),
            "numberOfElements": serializers.IntegerField(),
            "empty": serializers.BooleanField(),
        },
    )


def slice_parameters(sort_fields: Mapping[str, str]) -> list[OpenApiParameter]:
    """The OpenAPI query parameters of a Slice sorted by the API names in `sort_fields`."""
    return [
        OpenApiParameter("page", int, description="0-based"),
        OpenApiParameter("size", int, description=f"default {DEFAULT_SIZE}, at most {MAX_SIZE}"),
        OpenApiParameter("sort", str, many=True, description=f"{'|'.join(sort_fields)}[,asc|desc]"),
    ]
