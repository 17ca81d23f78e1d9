from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from alarms.api.serializers import AlarmOutput
from alarms.selectors import alarm_list
from alarms.services import alarm_list_mark_read
from partner42.pagination import slice_body, slice_params, slice_queryset

ALARM_SORT_FIELDS = {"createdAt": "created_at"}
ALARM_DEFAULT_ORDER = ["-created_at"]


class AlarmListApi(APIView):
    """GET /api/alarms: the caller's alarms, newest first; the returned ones become read.

    The response shows each alarm as it was before this call (`isRead` false for new ones).
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, description="0-based"),
            OpenApiParameter("size", OpenApiTypes.INT, description="20 by default, at most 100"),
            OpenApiParameter(
                "sort", OpenApiTypes.STR, many=True, description="createdAt[,asc|desc]"
            ),
        ],
        responses={
            200: inline_serializer(
                "AlarmSlice",
                {
                    "content": AlarmOutput(many=True),
                    "first": serializers.BooleanField(),
                    "last": serializers.BooleanField(),
                    "size": serializers.IntegerField(),
                    "number": serializers.IntegerField(),
                    "numberOfElements": serializers.IntegerField(),
                    "empty": serializers.BooleanField(),
                },
            )
        },
    )
    def get(self, request):
        params = slice_params(
            request, sort_fields=ALARM_SORT_FIELDS, default_order=ALARM_DEFAULT_ORDER
        )
        alarms, has_next = slice_queryset(alarm_list(user=request.user), params)
        content = AlarmOutput(alarms, many=True).data
        alarm_list_mark_read(
            user=request.user, alarm_ids=[alarm.pk for alarm in alarms if not alarm.is_read]
        )
        return Response(slice_body(content, params, has_next))
