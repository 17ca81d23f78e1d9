from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.STR)
class LocalDateTimeField(serializers.Field):
    """The original's LocalDateTime: server-local ISO time, no offset, fraction trimmed."""

    def to_representation(self, value):
        text = timezone.localtime(value).replace(tzinfo=None).isoformat()
        return text.rstrip("0") if "." in text else text


class AlarmArgsOutput(serializers.Serializer):
    callingMemberNickname = serializers.SerializerMethodField()
    articleId = serializers.UUIDField(source="article_id")
    opinionId = serializers.UUIDField(source="opinion_id")
    matchId = serializers.UUIDField(source="match_id")

    def get_callingMemberNickname(self, alarm) -> str | None:
        return alarm.calling_nickname or None


class AlarmOutput(serializers.Serializer):
    """AlarmDto of API.md 4.1, then what this service adds (type, time, match id)."""

    alarmId = serializers.UUIDField(source="api_id")
    text = serializers.CharField()
    alarmArgsDto = AlarmArgsOutput(source="*")
    isRead = serializers.BooleanField(source="is_read")
    alarmType = serializers.CharField(source="alarm_type")
    createdAt = LocalDateTimeField(source="created_at")
