"""Demo students for the embedded default (`make run`): loaded by `manage.py load_demo`.

A demo student is a user whose login is in DEMO_STUDENTS and who is not staff: only they can be
picked on the login page, and only while DEMO_LOGIN and DEBUG are both on.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User


@dataclass(frozen=True)
class DemoStudent:
    login: str
    nickname: str


DEMO_STUDENTS: tuple[DemoStudent, ...] = (
    DemoStudent(login="jisookim", nickname="지수"),
    DemoStudent(login="minjupar", nickname="민준"),
    DemoStudent(login="seoylee", nickname="서연"),
    DemoStudent(login="dohyjung", nickname="도현"),
    DemoStudent(login="hayoucho", nickname="하영"),
    DemoStudent(login="yejukang", nickname="예준"),
)
DEMO_LOGINS: frozenset[str] = frozenset(s.login for s in DEMO_STUDENTS)
DEMO_CAMPUS = "Seoul"


def demo_login_enabled() -> bool:
    return bool(settings.DEMO_LOGIN and settings.DEBUG)


def demo_student_list() -> QuerySet[User]:
    return User.objects.filter(
        username__in=DEMO_LOGINS, is_staff=False, is_superuser=False, is_active=True
    ).order_by("username")


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
        user.email = f"{student.login}@student.42seoul.kr"
        user.campus = DEMO_CAMPUS
        user.is_active = True
        user.save()
    summary = f"demo students: {created} created, {updated} refreshed"
    if skipped:
        summary += f", {skipped} skipped (staff accounts with a demo login)"
    return summary
