""" "Did you meet?" over the API (ours, docs/api.md): the caller's answer for one match."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from matching.selectors.matches import NotMatchMemberError, match_get_visible
from matching.selectors.meetings import (
    meeting_absent_nicknames,
    meeting_report_mine,
    meeting_report_open,
    meeting_report_opens_at,
)
from matching.selectors.reviews import match_review_target
from matching.services.meetings import meeting_report_submit
from partner42.parsers import JSON_PARSERS
from partner42.serializers import RejectUnknownFieldsMixin, local_datetime

MAX_ABSENT = 20  # a match has at most 20 members


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: "yes", 1 or "false" as a string are refused, not guessed."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class MeetingReportInput(RejectUnknownFieldsMixin, serializers.Serializer):
    met = StrictBooleanField()
    # Members as the caller is shown them (the review's names: `익명` for a hidden author).
    absentNicknames = serializers.ListField(
        child=serializers.CharField(max_length=100, trim_whitespace=False),
        required=False,
        max_length=MAX_ABSENT,
    )

    def validate_absentNicknames(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("A member is named twice."))
        return value


class MeetingDtoSchema(serializers.Serializer):
    matchId = serializers.UUIDField()
    meetingAt = serializers.CharField(help_text="when the answers open (Seoul, no offset)")
    isOpen = serializers.BooleanField()
    isReported = serializers.BooleanField()
    met = serializers.BooleanField(allow_null=True)
    absentNicknames = serializers.ListField(child=serializers.CharField())
    reportedAt = serializers.CharField(allow_null=True)


def meeting_dto(view, report) -> dict[str, Any]:
    match = view.match
    return {
        "matchId": str(match.api_id),
        "meetingAt": local_datetime(meeting_report_opens_at(match)),
        "isOpen": meeting_report_open(match, now=timezone.now()),
        "isReported": report is not None,
        "met": report.met if report is not None else None,
        "absentNicknames": meeting_absent_nicknames(view=view, report=report)
        if report is not None
        else [],
        "reportedAt": local_datetime(report.created_at) if report is not None else None,
    }


class MatchMeetingApi(APIView):
    parser_classes = JSON_PARSERS

    @extend_schema(responses=MeetingDtoSchema)
    def get(self, request: Request, match_id: str) -> Response:
        """GET /api/matches/{id}/meeting: whether the caller may answer and what they answered."""
        view = match_get_visible(api_id=match_id, viewer=request.user, check_member=False)
        if not view.is_member:
            raise NotMatchMemberError()  # operators too: the answer is a member's own
        report = meeting_report_mine(match=view.match, user=request.user)
        return Response(meeting_dto(view, report))

    @extend_schema(request=MeetingReportInput, responses=MeetingDtoSchema)
    def post(self, request: Request, match_id: str) -> Response:
        """POST /api/matches/{id}/meeting: the caller's answer, once (409 MCH010 after)."""
        body = MeetingReportInput(data=request.data)
        body.is_valid(raise_exception=True)
        # An outsider may load the match here: the service answers MCH002 before any name.
        view = match_get_visible(api_id=match_id, viewer=request.user, check_member=False)
        # A name that addresses no member becomes None, refused as MCH008 after the membership
        # check: one answer for every wrong name, a hidden author's real one too.
        absent = [
            match_review_target(view=view, nickname=nickname)
            for nickname in body.validated_data.get("absentNicknames", [])
        ]
        report = meeting_report_submit(
            match=view.match, reporter=request.user, met=body.validated_data["met"], absent=absent
        )
        return Response(meeting_dto(view, report))
