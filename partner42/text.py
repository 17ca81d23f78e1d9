"""Rules on user-written text that hold on every write path (API, pages, admin).

Nicknames are stored NFKC-normalised, without format characters (zero-width spaces, joiners, bidi
marks) and without surrounding whitespace, so that two names that look the same are the same
value and the unique index can compare them. A nickname may never read as the anonymity mask or as
the system's own name once case, width, spacing and invisible characters are ignored: otherwise a
student could pose as the hidden author of an anonymous room or as a system notice. Titles,
comments and nicknames made only of characters nobody can see are refused like empty ones.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Names that belong to the product: the mask of an anonymous author (Korean and English, as the
# pages show it) and the sender of system alarms. Compared in their `name_key` form.
RESERVED_NAMES = frozenset({"익명", "anonymous", "system"})

# Characters that draw nothing although they are neither whitespace nor format characters: the
# Hangul fillers, the braille blank, the combining grapheme joiner, the Khmer inherent vowels and
# the variation selectors.
_BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180e")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def is_invisible_char(char: str) -> bool:
    return (
        char.isspace()
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or char in _BLANK_LOOKALIKES
        or _is_variation_selector(char)
    )


def is_blank(text: object) -> bool:
    """True for anything but a string with at least one visible character."""
    return not isinstance(text, str) or all(is_invisible_char(char) for char in text)


def nickname_normalize(value: str) -> str:
    """The stored form of a nickname: NFKC, format characters (Cf) removed, trimmed."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(char for char in value if unicodedata.category(char) != "Cf").strip()


def name_key(value: str) -> str:
    """What two names are compared by when one must not pass for the other: NFKC, case-folded,
    without any invisible character or whitespace."""
    value = unicodedata.normalize("NFKC", value).casefold()
    return "".join(char for char in value if not is_invisible_char(char))


def is_reserved_name(value: str) -> bool:
    return name_key(value) in RESERVED_NAMES


# --- Django validators (forms, serializers): the services apply the same rules -----------------

VISIBLE_TEXT_MESSAGE = _("보이는 글자를 한 자 이상 써 주세요.")
RESERVED_NICKNAME_MESSAGE = _("익명, anonymous, system처럼 보이는 닉네임은 쓸 수 없습니다.")


def validate_visible_text(value: str) -> None:
    if is_blank(value):
        raise ValidationError(VISIBLE_TEXT_MESSAGE, code="blank")


def validate_nickname(value: str) -> None:
    validate_visible_text(value)
    if is_reserved_name(value):
        raise ValidationError(RESERVED_NICKNAME_MESSAGE, code="reserved")
