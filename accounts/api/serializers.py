from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """An input serializer that rejects unknown keys (the original's Jackson did: 400 C001)."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {key: [_("알 수 없는 필드입니다.")] for key in unknown}
                )
        return super().to_internal_value(data)


class AuthLoginInputSerializer(StrictInputSerializer):
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


class UserEmailUpdateInputSerializer(StrictInputSerializer):
    # Format and uniqueness are the service's (pages reuse it); here only presence and type.
    email = serializers.CharField()


class UserNicknameUpdateInputSerializer(StrictInputSerializer):
    # Length and uniqueness are the service's, like the email's.
    nickname = serializers.CharField()
