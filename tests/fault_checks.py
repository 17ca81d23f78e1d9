"""What every fault test checks at the end: no half-made match, no request in between."""

from alarms.models import Alarm, AlarmType
from matching.models import Activity, Match, MatchMember, RandomMatchRequest

Status = RandomMatchRequest.Status


def assert_no_half_match() -> None:
    """Every match has its members, activity rows and alarms; every request is either waiting
    (no match) or matched to a complete match it is a member of."""
    members_of: dict[int, set[int]] = {}
    for match in Match.objects.all():
        members = set(MatchMember.objects.filter(match=match).values_list("user_id", flat=True))
        assert len(members) == match.participant_num >= 2, (match.pk, members)
        activities = set(Activity.objects.filter(match=match).values_list("user_id", flat=True))
        assert activities == members, (match.pk, activities, members)
        alarmed = set(
            Alarm.objects.filter(
                alarm_type=AlarmType.MATCH_CONFIRMED, match_id=match.api_id
            ).values_list("user_id", flat=True)
        )
        assert alarmed == members, (match.pk, alarmed, members)
        members_of[match.pk] = members
    for request in RandomMatchRequest.objects.all():
        if request.status == Status.MATCHED:
            assert request.match_id in members_of, request.pk
            assert request.user_id in members_of[request.match_id], request.pk
        elif request.status == Status.WAITING:
            assert request.match_id is None, request.pk
            assert request.waiting_key is not None, request.pk
    if members_of:
        random_matches = [m for m in members_of if Match.objects.get(pk=m).method == "RANDOM"]
        for match_id in random_matches:
            requests = RandomMatchRequest.objects.filter(match_id=match_id)
            assert set(requests.values_list("user_id", flat=True)) == members_of[match_id]
