"""Demo students and a demo operator for the embedded default (`make run`): `manage.py load_demo`.

A demo student is a user whose login is in DEMO_STUDENTS and who is not staff. The demo operator
(DEMO_OPERATOR) is staff and superuser, so that `make run` shows the admin at /admin/ too; it has
no password, which is how it is told from a real operator of the same name: a staff account with a
password is never offered. Only these can be picked on the login page, and only while DEMO_LOGIN
and DEBUG are both on.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from accounts.models import User


@dataclass(frozen=True)
class DemoStudent:
    login: str
    nickname: str
    bio: str = ""
    interests: tuple[str, ...] = ()


DEMO_STUDENTS: tuple[DemoStudent, ...] = (
    DemoStudent(
        login="jisookim",
        nickname="지수",
        bio="ft_transcendence 팀원을 찾고 있어요. 점심은 주로 개포에서 먹어요.",
        interests=("웹", "보드게임", "러닝"),
    ),
    DemoStudent(
        login="minjupar",
        nickname="민준",
        bio="C와 알고리즘을 좋아해요. 같이 코딩테스트 준비해요!",
        interests=("알고리즘", "커피"),
    ),
    DemoStudent(login="seoylee", nickname="서연", interests=("디자인", "맛집 탐방")),
    DemoStudent(
        login="dohyjung",
        nickname="도현",
        bio="서초 클러스터에 자주 있어요.",
        interests=("리눅스", "등산"),
    ),
    DemoStudent(login="hayoucho", nickname="하영"),
    DemoStudent(
        login="yejukang",
        nickname="예준",
        bio="밥 먹으면서 이야기 나누는 걸 좋아해요.",
        interests=("게임", "요리"),
    ),
)
DEMO_LOGINS: frozenset[str] = frozenset(s.login for s in DEMO_STUDENTS)
DEMO_CAMPUS = "Seoul"
DEMO_OPERATOR = DemoStudent(login="demo_operator", nickname="운영자")


def demo_student_list() -> QuerySet[User]:
    return User.objects.filter(
        username__in=DEMO_LOGINS, is_staff=False, is_superuser=False, is_active=True
    ).order_by("username")


def demo_login_choices() -> QuerySet[User]:
    """Who the demo login offers: the demo students, then the demo operator."""
    operator = Q(
        username=DEMO_OPERATOR.login,
        is_staff=True,
        is_superuser=True,
        is_active=True,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
    )
    students = Q(username__in=DEMO_LOGINS, is_staff=False, is_superuser=False, is_active=True)
    return (
        User.objects.filter(students | operator)
        .annotate(
            demo_operator=Case(
                When(is_staff=True, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("demo_operator", "username")
    )


def _demo_operator_load() -> str:
    user = User.objects.filter(username=DEMO_OPERATOR.login).first()
    if user is not None and user.has_usable_password():
        return "demo operator skipped (an account with a password has its login)"
    created = user is None
    if created:
        user = User(username=DEMO_OPERATOR.login)
        user.set_unusable_password()
    user.nickname = DEMO_OPERATOR.nickname
    user.email = f"{DEMO_OPERATOR.login}@demo.invalid"
    user.campus = DEMO_CAMPUS
    user.is_active = user.is_staff = user.is_superuser = True
    user.save()
    return "demo operator created" if created else "demo operator refreshed"


@transaction.atomic
def demo_students_load() -> str:
    """Create or refresh the demo students; any other row, and any staff account, is left alone."""
    created = updated = skipped = 0
    for student in DEMO_STUDENTS:
        user = User.objects.filter(username=student.login).first()
        if user is not None and (user.is_staff or user.is_superuser):
            skipped += 1
            continue
        if user is None:
            user = User(username=student.login)
            user.set_unusable_password()
            created += 1
        else:
            updated += 1
        user.nickname = student.nickname
        user.bio = student.bio
        user.interests = list(student.interests)
        user.email = f"{student.login}@student.42seoul.kr"
        user.campus = DEMO_CAMPUS
        user.is_active = True
        user.save()
    summary = f"demo students: {created} created, {updated} refreshed"
    if skipped:
        summary += f", {skipped} skipped (staff accounts with a demo login)"
    return f"{summary}; {_demo_operator_load()}"
