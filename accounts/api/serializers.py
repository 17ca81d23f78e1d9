from rest_framework import serializers

from partner42.serializers import RejectUnknownFieldsMixin


class AuthLoginInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class AuthLoginOutputSerializer(serializers.Serializer):
    userId = serializers.UUIDField(source="user.api_id")
    accessToken = serializers.CharField(source="pair.access")


class TokenRefreshOutputSerializer(serializers.Serializer):
    accessToken = serializers.CharField(source="access")


class UserOutputSerializer(serializers.Serializer):
    """UserDto of the original, plus the address waiting for confirmation."""

    userId = serializers.UUIDField(source="api_id")
    oauth2Username = serializers.CharField(source="username")
    nickname = serializers.CharField()
    # The confirmed address ("" if none), the only one Slack uses.
    email = serializers.SerializerMethodField()
    imageUrl = serializers.CharField(source="image_url")
    # A requested change until its link is followed; null if none.
    pendingEmail = serializers.SerializerMethodField()

    def get_email(self, user) -> str:
        return user.email or ""

    def get_pendingEmail(self, user) -> str | None:
        return user.pending_email or None


class UserIdOutputSerializer(serializers.Serializer):
    userId = serializers.UUIDField(source="api_id")


class UserEmailUpdateInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    # Format and uniqueness are the service's (pages reuse it); here only presence and type.
    email = serializers.CharField()


class UserNicknameUpdateInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    # Length and uniqueness are the service's, like the email's.
    nickname = serializers.CharField()


class UserProfileOutputSerializer(serializers.Serializer):
    userId = serializers.UUIDField(source="api_id")
    bio = serializers.CharField()
    interests = serializers.ListField(child=serializers.CharField())


class UserProfileUpdateInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    # Lengths, counts, blanks and duplicates are the service's rules (accounts.profile_rules).
    bio = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    interests = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False), required=False
    )


class UserPreferencesOutputSerializer(serializers.Serializer):
    userId = serializers.UUIDField(source="user.api_id")
    slackNotices = serializers.BooleanField(source="user.slack_notices")
    # Every alarm kind by name: true when the student gets it.
    alarmTypes = serializers.DictField(source="alarm_types", child=serializers.BooleanField())
    # The day random matching comes back while it is paused, else null.
    randomSnoozeUntil = serializers.DateField(source="snoozed_until", allow_null=True)
    # "ko", "en", or null to follow the browser.
    language = serializers.CharField(allow_null=True)


class UserPreferencesUpdateInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    slackNotices = serializers.BooleanField(required=False)
    # Kinds left out keep their state; unknown names are the service's 400 (`alarmTypes.<name>`).
    alarmTypes = serializers.DictField(child=serializers.BooleanField(), required=False)
    # yyyy-MM-dd, after today in Seoul and within a year; null lifts the pause.
    randomSnoozeUntil = serializers.DateField(required=False, allow_null=True)
    language = serializers.ChoiceField(
        choices=["ko", "en"], required=False, allow_null=True, allow_blank=True
    )
