from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from alarms.api.serializers import AlarmOutput
from alarms.selectors import alarm_list
from alarms.services import alarm_list_mark_read
from partner42.pagination import (
    slice_body,
    slice_parameters,
    slice_params,
    slice_queryset,
    slice_schema,
)

ALARM_SORT_FIELDS = {"createdAt": "created_at"}
ALARM_DEFAULT_ORDER = ["-created_at"]


class AlarmListApi(APIView):
    """GET /api/alarms: the caller's alarms, newest first; the returned ones become read.

    The response shows each alarm as it was before this call (`isRead` false for new ones).
    """

    @extend_schema(
        parameters=slice_parameters(ALARM_SORT_FIELDS),
        responses=slice_schema("AlarmSlice", AlarmOutput),
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
