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
