"""OpenAPI shapes of the articles and opinions API (documentation only: views build plain dicts)."""

from rest_framework import serializers

from partner42.pagination import slice_schema
from partner42.serializers import MatchConditionDtoSchema, MemberDtoSchema
from restaurants.api.serializers import RestaurantSummarySchema


class ArticleIdSchema(serializers.Serializer):
    articleId = serializers.UUIDField()


class OpinionIdSchema(serializers.Serializer):
    opinionId = serializers.UUIDField()


class MatchIdSchema(serializers.Serializer):
    matchId = serializers.UUIDField()


class ArticleReadSchema(serializers.Serializer):
    nickname = serializers.CharField(help_text="익명 when the room is anonymous and hidden")
    userId = serializers.UUIDField(allow_null=True)
    articleId = serializers.UUIDField()
    title = serializers.CharField()
    content = serializers.CharField()
    date = serializers.DateField()
    createdAt = serializers.CharField(help_text="LocalDateTime, Seoul time without offset")
    anonymity = serializers.BooleanField()
    isComplete = serializers.BooleanField()
    isToday = serializers.BooleanField()
    participantNumMax = serializers.IntegerField()
    participantNum = serializers.IntegerField()
    contentCategory = serializers.CharField()
    matchConditionDto = MatchConditionDtoSchema()
    meetingTime = serializers.CharField(allow_null=True, help_text="HH:mm, Seoul time, optional")


ArticleSliceSchema = slice_schema("ArticleSliceSchema", ArticleReadSchema)


class ArticleReadOneSchema(serializers.Serializer):
    articleId = serializers.UUIDField()
    userId = serializers.UUIDField(allow_null=True)
    title = serializers.CharField()
    date = serializers.DateField()
    createdAt = serializers.CharField()
    content = serializers.CharField()
    anonymity = serializers.BooleanField()
    isToday = serializers.BooleanField()
    participantNumMax = serializers.IntegerField()
    participantNum = serializers.IntegerField()
    contentCategory = serializers.CharField()
    matchConditionDto = MatchConditionDtoSchema()
    participantsOrAuthor = MemberDtoSchema(many=True)
    restaurant = RestaurantSummarySchema(allow_null=True)
    meetingTime = serializers.CharField(allow_null=True, help_text="HH:mm, Seoul time, optional")


class OpinionSchema(serializers.Serializer):
    opinionId = serializers.UUIDField()
    userId = serializers.UUIDField(allow_null=True)
    nickname = serializers.CharField()
    createdAt = serializers.CharField()
    updatedAt = serializers.CharField()
    content = serializers.CharField()
    parentId = serializers.UUIDField(allow_null=True)
    level = serializers.IntegerField()


class OpinionListSchema(serializers.Serializer):
    valueCount = serializers.IntegerField()
    values = OpinionSchema(many=True)
