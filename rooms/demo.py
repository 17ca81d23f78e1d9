"""Demo rooms for the embedded default (`manage.py load_demo`), opened by the demo students.

Idempotent: a room is identified by its author and title; a run creates the missing ones and moves
the dates of the existing ones back into the future, so the demo never shows only past rooms.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction

from accounts.demo import demo_student_list
from partner42.choices import ConditionKind, ContentCategory
from rooms import services
from rooms.cache import board_changed
from rooms.models import Participation, Room


@dataclass(frozen=True)
class DemoRoom:
    author: str  # the demo student's login
    category: str
    title: str
    content: str
    days_ahead: int
    capacity: int
    conditions: dict[str, list[str]]
    anonymity: bool = False
    members: tuple[str, ...] = ()
    comments: tuple[tuple[str, str], ...] = field(default=())  # (login, text); replies follow


DEMO_ROOMS: tuple[DemoRoom, ...] = (
    DemoRoom(
        author="jisookim",
        category=ContentCategory.MEAL,
        title="개포에서 점심 같이 드실 분",
        content="12시 30분에 클러스터 1층에서 만나요. 근처 국밥집 생각 중이에요.",
        days_ahead=0,
        capacity=4,
        conditions={
            ConditionKind.PLACE: ["GAEPO"],
            ConditionKind.TIME_OF_EATING: ["LUNCH"],
            ConditionKind.WAY_OF_EATING: ["EATOUT"],
        },
        members=("minjupar", "seoylee"),
        comments=(("minjupar", "국밥 좋아요!"), ("jisookim", "그럼 12시 30분에 봬요")),
    ),
    DemoRoom(
        author="minjupar",
        category=ContentCategory.MEAL,
        title="야식 치킨 반반 나눠 드실 분",
        content="서초 클러스터에서 밤 11시쯤 배달시킬게요.",
        days_ahead=1,
        capacity=3,
        anonymity=True,
        conditions={
            ConditionKind.PLACE: ["SEOCHO"],
            ConditionKind.TIME_OF_EATING: ["MIDNIGHT"],
            ConditionKind.WAY_OF_EATING: ["DELIVERY"],
        },
    ),
    DemoRoom(
        author="seoylee",
        category=ContentCategory.STUDY,
        title="ft_transcendence 팀원 구해요",
        content="프론트 한 분, 백엔드 한 분 모십니다. 주 3회 개포에서 모여요.",
        days_ahead=2,
        capacity=5,
        conditions={ConditionKind.PLACE: ["GAEPO"], ConditionKind.TYPE_OF_STUDY: ["INNER_CIRCLE"]},
        members=("dohyjung",),
    ),
    DemoRoom(
        author="dohyjung",
        category=ContentCategory.STUDY,
        title="알고리즘 스터디 (백준 골드)",
        content="매주 화요일 저녁, 한 사람당 두 문제씩 풀어 와서 설명해요.",
        days_ahead=3,
        capacity=6,
        conditions={
            ConditionKind.PLACE: ["SEOCHO"],
            ConditionKind.TYPE_OF_STUDY: ["NOT_INNER_CIRCLE"],
        },
    ),
    DemoRoom(
        author="hayoucho",
        category=ContentCategory.MEAL,
        title="서초 저녁 포장해서 같이 먹어요",
        content="샐러드 포장해 와서 라운지에서 먹을 사람!",
        days_ahead=1,
        capacity=2,
        conditions={
            ConditionKind.PLACE: ["SEOCHO"],
            ConditionKind.TIME_OF_EATING: ["DINNER"],
            ConditionKind.WAY_OF_EATING: ["TAKEOUT"],
        },
        members=("yejukang",),
    ),
)


@transaction.atomic
def rooms_demo_load() -> str:
    students = {user.username: user for user in demo_student_list()}
    today = services.room_today()
    created = refreshed = 0
    for demo in DEMO_ROOMS:
        author = students.get(demo.author)
        if author is None:
            continue
        meeting_date = today + timedelta(days=demo.days_ahead)
        room = Room.objects.filter(author=author, title=demo.title).first()
        if room is not None:
            if room.date < meeting_date:
                Room.objects.filter(pk=room.pk).update(date=meeting_date)
                board_changed()
                refreshed += 1
            continue
        room = services.room_create(
            author=author,
            category=demo.category,
            title=demo.title,
            content=demo.content,
            meeting_date=meeting_date,
            anonymity=demo.anonymity,
            participant_num_max=demo.capacity,
            conditions=demo.conditions,
        )
        for login in demo.members:
            member = students.get(login)
            if (
                member is not None
                and not Participation.objects.filter(room=room, user=member).exists()
            ):
                services.room_join(room=room, user=member)
        parent = None
        for login, text in demo.comments:
            if login in students:
                comment = services.comment_create(
                    room=room, author=students[login], content=text, parent=parent
                )
                parent = parent or comment
        created += 1
    return f"demo rooms: {created} created, {refreshed} moved to a future date"
