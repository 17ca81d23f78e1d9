from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from alarms.api.serializers import AlarmOutput
from alarms.services import alarm_list_read
from partner42.pagination import slice_body, slice_parameters, slice_params, slice_schema

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
        alarms, has_next = alarm_list_read(user=request.user, params=params)
        content = AlarmOutput(alarms, many=True).data
        return Response(slice_body(content, params, has_next))
