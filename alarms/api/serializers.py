from rest_framework import serializers

from partner42.serializers import LocalDateTimeField


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
    # Who and which room in one sentence (the list and the toast show it); `text` stays the
    # original's fixed text of the kind.
    message = serializers.CharField()
