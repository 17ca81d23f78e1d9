"""Rules on a student's profile and preferences, for the forms and the services alike.

The bio is free text up to `BIO_MAX_LENGTH` characters. Interests are free tags: each is stored
NFKC-normalised, without format characters (zero-width spaces, joiners, bidi marks), with runs of
whitespace made one space and a leading `#` dropped, so that `＃Ｐｙｔｈｏｎ` and `python` are
one tag (compared case-folded). A text made only of characters nobody can see counts as empty
(partner42.text). A pause of random matching ends on a day after today (Asia/Seoul), at most
`SNOOZE_MAX_DAYS` ahead. Each function returns the stored form or raises `ProfileRuleError` naming
every problem at once, with the field (`bio`, `interests` or `interests[i]`) and the value.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from accounts.models import BIO_MAX_LENGTH
from partner42.text import VISIBLE_TEXT_MESSAGE, is_blank

SNOOZE_MAX_DAYS = 365
INTEREST_MAX_LENGTH = 20
INTERESTS_MAX_COUNT = 10
# A form types interests in one field, separated by commas (ASCII or full-width) or new lines.
INTEREST_SEPARATORS = re.compile(r"[,，、\n]")
_WHITESPACE_RUN = re.compile(r"\s+")


@dataclass(frozen=True)
class RuleProblem:
    field: str
    value: str
    reason: str


class ProfileRuleError(Exception):
    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = problems


def bio_clean(value: object) -> str:
    """The stored bio: line ends made `\\n`, surrounding whitespace trimmed; "" for none."""
    if not isinstance(value, str):
        raise ProfileRuleError([RuleProblem("bio", "", str(_("문자열이어야 합니다.")))])
    bio = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if bio and is_blank(bio):
        raise ProfileRuleError([RuleProblem("bio", "", str(VISIBLE_TEXT_MESSAGE))])
    if len(bio) > BIO_MAX_LENGTH:
        raise ProfileRuleError(
            [
                RuleProblem(
                    "bio",
                    bio[:50],
                    str(_("소개는 %(max)d자까지 쓸 수 있어요 (지금 %(count)d자)."))
                    % {"max": BIO_MAX_LENGTH, "count": len(bio)},
                )
            ]
        )
    return bio


def interest_normalize(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    value = "".join(char for char in value if unicodedata.category(char) != "Cf")
    return _WHITESPACE_RUN.sub(" ", value).strip().lstrip("#").strip()


def interest_key(value: str) -> str:
    """What two stored tags are compared by: case-folded."""
    return value.casefold()


def interests_split(text: str) -> list[str]:
    """The tags typed in one form field; empty pieces (a trailing comma) are no tag."""
    return [piece for piece in INTEREST_SEPARATORS.split(text or "") if piece.strip()]


def interests_clean(values: Iterable[object]) -> list[str]:
    """The stored tags, in the order given: each visible, 1 to `INTEREST_MAX_LENGTH` characters,
    no commas, none twice (case ignored), at most `INTERESTS_MAX_COUNT`."""
    values = list(values)
    problems: list[RuleProblem] = []
    clean: list[str] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(values):
        field = f"interests[{index}]"
        if not isinstance(raw, str):
            problems.append(RuleProblem(field, "", str(_("문자열이어야 합니다."))))
            continue
        tag = interest_normalize(raw)
        if is_blank(tag):
            problems.append(RuleProblem(field, raw, str(VISIBLE_TEXT_MESSAGE)))
            continue
        if len(tag) > INTEREST_MAX_LENGTH:
            problems.append(
                RuleProblem(
                    field,
                    tag,
                    str(_("관심사 「%(tag)s」이(가) 너무 길어요. 한 개에 %(max)d자까지예요."))
                    % {"tag": tag, "max": INTEREST_MAX_LENGTH},
                )
            )
            continue
        if INTEREST_SEPARATORS.search(tag):
            problems.append(RuleProblem(field, tag, str(_("관심사 하나에는 쉼표를 쓸 수 없어요."))))
            continue
        key = interest_key(tag)
        if key in seen:
            problems.append(
                RuleProblem(
                    field,
                    tag,
                    str(_("관심사 「%(tag)s」을(를) 두 번 썼어요.")) % {"tag": seen[key]},
                )
            )
            continue
        seen[key] = tag
        clean.append(tag)
    if len(values) > INTERESTS_MAX_COUNT:
        problems.append(
            RuleProblem(
                "interests",
                str(len(values)),
                str(_("관심사는 %(max)d개까지 쓸 수 있어요 (지금 %(count)d개)."))
                % {"max": INTERESTS_MAX_COUNT, "count": len(values)},
            )
        )
    if problems:
        raise ProfileRuleError(problems)
    return clean


def snooze_clean(
    value: date | None, *, today: date, field: str = "randomSnoozeUntil"
) -> date | None:
    """The day random matching comes back (it is paused before it); None lifts the pause."""
    if value is None:
        return None
    if value <= today:
        reason = _("내일 이후의 날짜를 골라 주세요.")
    elif value > today + timedelta(days=SNOOZE_MAX_DAYS):
        reason = _("%(days)d일 안의 날짜를 골라 주세요.") % {"days": SNOOZE_MAX_DAYS}
    else:
        return value
    raise ProfileRuleError([RuleProblem(field, value.isoformat(), str(reason))])
