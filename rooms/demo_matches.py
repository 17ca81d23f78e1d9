"""Demo matches for the embedded default (`manage.py load_demo`), made by the real services.

What a first-time visitor should find, whichever demo student they pick: two rooms completed into
MANUAL matches (some reviews written, so activity scores; every student has a review still to
write), one RANDOM match made by the matchmaker, the alarms those services write, and one
WAITING MEAL request at GAEPO, so that a MEAL request from another demo student is matched at
once (the embedded default runs the matchmaker eagerly).

Everything goes through services (ledger, participant counts, alarms stay consistent), so the
demo data is never written twice: a completed room is found by author and title and never
completed again, a review is written only while its member's `is_reviewed` is unset, the random
match only while those two students have none together, and the waiting request only while its
student has none waiting. A demo row the visitor changed is left as they left it.

It lives in rooms because it completes rooms, and rooms may use matching (never the reverse);
`load_demo` runs it after the rooms loader.
"""

import contextlib
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_student_list
from matching.models import ActivityMatchScore, Match, MatchMember, RandomMatchRequest
from matching.selectors.matches import review_available_time
from matching.services.random import (
    RandomMatchExistsError,
    matchmaking_run,
    random_match_request_create,
)
from matching.services.reviews import match_review_create
from partner42.choices import (
    ConditionKind,
    ContentCategory,
    MethodCategory,
    Place,
    TimeOfEating,
    TypeOfStudy,
    WayOfEating,
)
from partner42.errors import ApplicationError
from rooms import services as room_services
from rooms.models import Participation, Room

logger = logging.getLogger(__name__)

S = ActivityMatchScore


@dataclass(frozen=True)
class DemoReview:
    reviewer: str  # login
    scores: dict[str, str]  # target login -> score kind
    default: str = S.MATCH_REVIEW_4  # for a member the demo does not name


@dataclass(frozen=True)
class DemoCompletedRoom:
    author: str
    category: str
    title: str
    content: str
    capacity: int
    conditions: dict[str, list[str]]
    members: tuple[str, ...]
    reviews: tuple[DemoReview, ...] = ()
    anonymity: bool = False


@dataclass(frozen=True)
class DemoRandomRequest:
    login: str
    category: str
    places: tuple[str, ...] = ()
    options: tuple[str, ...] = ()


DEMO_COMPLETED_ROOMS: tuple[DemoCompletedRoom, ...] = (
    DemoCompletedRoom(
        author="jisookim",
        category=ContentCategory.MEAL,
        title="개포 아침 김밥 같이 먹어요 (마감)",
        content="9시에 클러스터 앞 김밥집에서 만나요. 모였으니 마감할게요!",
        capacity=4,
        conditions={
            ConditionKind.PLACE: [Place.GAEPO],
            ConditionKind.TIME_OF_EATING: [TimeOfEating.BREAKFAST],
            ConditionKind.WAY_OF_EATING: [WayOfEating.EATOUT],
        },
        members=("minjupar", "dohyjung"),
        reviews=(
            DemoReview("minjupar", {"jisookim": S.MATCH_REVIEW_5, "dohyjung": S.MATCH_REVIEW_4}),
            DemoReview("dohyjung", {"jisookim": S.MATCH_REVIEW_5, "minjupar": S.MATCH_REVIEW_3}),
        ),
    ),
    DemoCompletedRoom(
        author="seoylee",
        category=ContentCategory.STUDY,
        title="익명으로 여는 동료 평가 연습 (마감)",
        content="평가 전에 서로 코드 설명해 보는 연습이에요. 인원이 다 찼어요.",
        capacity=4,
        anonymity=True,
        conditions={
            ConditionKind.PLACE: [Place.GAEPO],
            ConditionKind.TYPE_OF_STUDY: [TypeOfStudy.INNER_CIRCLE],
        },
        members=("hayoucho", "yejukang", "minjupar"),
        reviews=(DemoReview("hayoucho", {"seoylee": S.MATCH_REVIEW_5}),),
    ),
)

# Made by the matchmaker from these two requests: common conditions SEOCHO, NOT_INNER_CIRCLE.
DEMO_RANDOM_PAIR: tuple[DemoRandomRequest, DemoRandomRequest] = (
    DemoRandomRequest(
        "dohyjung",
        ContentCategory.STUDY,
        places=(Place.SEOCHO,),
        options=(TypeOfStudy.NOT_INNER_CIRCLE,),
    ),
    DemoRandomRequest("hayoucho", ContentCategory.STUDY, places=(Place.SEOCHO, Place.GAEPO)),
)

# Left waiting: any demo student's MEAL request that allows GAEPO is matched with it at once.
DEMO_WAITING_REQUEST = DemoRandomRequest("yejukang", ContentCategory.MEAL, places=(Place.GAEPO,))


@dataclass
class _Tally:
    completed: int = 0
    reviews: int = 0
    reviews_not_open: int = 0
    skipped: list[str] = field(default_factory=list)
    random_match: str = "kept"
    waiting_request: str = "kept"

    def summary(self) -> str:
        text = (
            f"demo matches: {self.completed} rooms completed, {self.reviews} reviews written"
            f"{f' ({self.reviews_not_open} not open yet)' if self.reviews_not_open else ''}, "
            f"random match {self.random_match}, waiting request {self.waiting_request}"
        )
        if self.skipped:
            text += f"; skipped: {', '.join(self.skipped)}"
        return text


@transaction.atomic
def matches_demo_load() -> str:
    students = {user.username: user for user in demo_student_list()}
    tally = _Tally()
    for demo in DEMO_COMPLETED_ROOMS:
        try:
            # A savepoint each: a demo room a visitor changed must not stop the rest.
            with transaction.atomic():
                _completed_room_load(demo, students, tally)
        except ApplicationError as exc:
            logger.warning("Demo room %r skipped: %s", demo.title, exc.message)
            tally.skipped.append(f"{demo.title} ({exc.code})")
    # The random pair first: the matchmaker run below would otherwise also see the MEAL request.
    tally.random_match = _random_pair_load(students)
    tally.waiting_request = _waiting_request_load(DEMO_WAITING_REQUEST, students)
    return tally.summary()


def _completed_room_load(demo: DemoCompletedRoom, students: dict, tally: _Tally) -> None:
    author = students.get(demo.author)
    members = [students[login] for login in demo.members if login in students]
    if author is None or not members:
        tally.skipped.append(f"{demo.title} (demo students missing)")
        return
    room = Room.objects.filter(author=author, title=demo.title).first()
    if room is None:
        room = room_services.room_create(
            author=author,
            category=demo.category,
            title=demo.title,
            content=demo.content,
            # Today in Seoul: the earliest date a room may have.
            meeting_date=room_services.room_today(),
            anonymity=demo.anonymity,
            participant_num_max=demo.capacity,
            conditions=demo.conditions,
        )
    if not room.is_complete:
        for member in members:
            if not Participation.objects.filter(room=room, user=member).exists():
                room_services.room_join(room=room, user=member)
        room_services.room_complete(room=room, user=author)
        tally.completed += 1
    match = Match.objects.get(room=room)
    for review in demo.reviews:
        _review_load(match, review, students, tally)


def _review_load(match: Match, review: DemoReview, students: dict, tally: _Tally) -> None:
    reviewer = students.get(review.reviewer)
    if reviewer is None:
        return
    members = list(MatchMember.objects.filter(match=match).select_related("user"))
    me = next((m for m in members if m.user_id == reviewer.pk), None)
    if me is None or me.is_reviewed:
        return
    if timezone.now() < review_available_time(match):
        # REVIEW_DELAY_MINUTES is 0 under `make run`; elsewhere a later load writes it.
        tally.reviews_not_open += 1
        return
    scores = [
        (m.user, review.scores.get(m.user.username, review.default))
        for m in members
        if m.user_id != reviewer.pk
    ]
    match_review_create(match=match, reviewer=reviewer, scores=scores)
    tally.reviews += 1


def _random_pair_load(students: dict) -> str:
    first, second = (students.get(r.login) for r in DEMO_RANDOM_PAIR)
    if first is None or second is None:
        return "skipped (demo students missing)"
    category = DEMO_RANDOM_PAIR[0].category
    if (
        Match.objects.filter(method=MethodCategory.RANDOM, category=category)
        .filter(members__user=first)
        .filter(members__user=second)
        .exists()
    ):
        return "kept"
    for demo in DEMO_RANDOM_PAIR:
        # RM001: one waits already (an earlier load's, or the visitor's), and the run sees it.
        with contextlib.suppress(RandomMatchExistsError):
            random_match_request_create(
                user=students[demo.login],
                category=demo.category,
                places=demo.places,
                options=demo.options,
            )
    # Run now rather than on commit: the match is part of what this load promises.
    result = matchmaking_run()
    made = (
        Match.objects.filter(method=MethodCategory.RANDOM, category=category)
        .filter(members__user=first)
        .filter(members__user=second)
        .exists()
    )
    if made:
        return "made"
    # Another run held the lock, or a request found an earlier partner: the requests wait.
    return "queued (matchmaker busy)" if result.skipped else "queued"


def _waiting_request_load(demo: DemoRandomRequest, students: dict) -> str:
    user = students.get(demo.login)
    if user is None:
        return "skipped (demo student missing)"
    if RandomMatchRequest.objects.filter(
        user=user,
        category=demo.category,
        status=RandomMatchRequest.Status.WAITING,
        expires_at__gt=timezone.now(),
    ).exists():
        return "kept"
    try:
        random_match_request_create(
            user=user, category=demo.category, places=demo.places, options=demo.options
        )
    except RandomMatchExistsError:
        return "kept"
    return "queued"
