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
    """UserDto of the original."""

    userId = serializers.UUIDField(source="api_id")
    oauth2Username = serializers.CharField(source="username")
    nickname = serializers.CharField()
    email = serializers.CharField()
    imageUrl = serializers.CharField(source="image_url")


class UserIdOutputSerializer(serializers.Serializer):
    userId = serializers.UUIDField(source="api_id")


class UserEmailUpdateInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    # Format and uniqueness are the service's (pages reuse it); here only presence and type.
    email = serializers.CharField()


class UserNicknameUpdateInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    # Length and uniqueness are the service's, like the email's.
    nickname = serializers.CharField()
