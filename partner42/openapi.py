"""OpenAPI (drf-spectacular) additions: the one error body every API path may answer."""

from partner42.errors import ErrorCode

ERROR_COMPONENTS = {
    "FieldError": {
        "type": "object",
        "properties": {
            "field": {"type": "string", "example": "matchConditionDto.placeList[0]"},
            "value": {"type": "string", "description": "The rejected value as text ('' if none)."},
            "reason": {"type": "string"},
        },
        "required": ["field", "value", "reason"],
    },
    "ErrorResponse": {
        "type": "object",
        "description": "Every API error (SPEC section 10).",
        "properties": {
            "message": {"type": "string", "example": ErrorCode.INVALID_INPUT.value[2]},
            "status": {"type": "integer", "example": 400},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
            "code": {"type": "string", "example": "C001"},
        },
        "required": ["message", "status", "errors", "code"],
    },
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: declare ErrorResponse as the `default` response of every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_COMPONENTS)
    error_response = {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    }
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("default", error_response)
    return result
