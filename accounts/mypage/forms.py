"""Forms of the my page: the profile's fields, the introduction and the preferences."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import BIO_MAX_LENGTH, Language
from accounts.profile_rules import (
    INTEREST_MAX_LENGTH,
    INTERESTS_MAX_COUNT,
    ProfileRuleError,
    bio_clean,
    interests_clean,
    interests_split,
    snooze_clean,
)
from accounts.selectors import seoul_today, user_alarm_switches, user_random_snoozed_until
from partner42.choices import AlarmType
from partner42.text import validate_nickname


class NicknameForm(forms.Form):
    # The service normalises and checks again; the validator puts the reason on the field early.
    nickname = forms.CharField(
        label=_("닉네임"), max_length=20, min_length=2, strip=True, validators=[validate_nickname]
    )


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("이메일"), max_length=254)


# --- The my page's profile and preferences ----------------------------------------------------
# Every rule a student can fix is a form error here (all shown at once); the services apply the
# same rules (accounts.profile_rules) again.


def _reasons(exc: ProfileRuleError) -> ValidationError:
    return ValidationError([problem.reason for problem in exc.problems])


class ProfileForm(forms.Form):
    bio = forms.CharField(
        label=_("소개"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": BIO_MAX_LENGTH}),
    )
    interests = forms.CharField(
        label=_("관심사"),
        required=False,
        strip=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Interpolated per request, in its language (a lazy string's % would fix it at import).
        self.fields["bio"].help_text = _("매칭된 동료에게 보여요. %(max)d자까지.") % {
            "max": BIO_MAX_LENGTH
        }
        self.fields["interests"].help_text = _(
            "쉼표로 나눠 %(count)d개까지, 하나에 %(max)d자까지. 예: 요리, 보드게임, Python"
        ) % {"count": INTERESTS_MAX_COUNT, "max": INTEREST_MAX_LENGTH}

    @classmethod
    def for_user(cls, user) -> "ProfileForm":
        return cls(initial={"bio": user.bio, "interests": ", ".join(user.interests or [])})

    def clean_bio(self) -> str:
        try:
            return bio_clean(self.cleaned_data.get("bio") or "")
        except ProfileRuleError as exc:
            raise _reasons(exc) from exc

    def clean_interests(self) -> list[str]:
        try:
            return interests_clean(interests_split(self.cleaned_data.get("interests") or ""))
        except ProfileRuleError as exc:
            raise _reasons(exc) from exc


# What each switch is about, said from the student's side (the kind's label is the alarm itself).
ALARM_SWITCH_LABELS = {
    AlarmType.PARTICIPATION_ON_MY_POST: _("내 방에 누가 참여했을 때"),
    AlarmType.PARTICIPATION_CANCEL_ON_MY_POST: _("내 방 참여가 취소됐을 때"),
    AlarmType.MATCH_CONFIRMED: _("매칭이 확정됐을 때"),
    AlarmType.COMMENT_ON_MY_COMMENT: _("내 댓글에 답글이 달렸을 때"),
    AlarmType.COMMENT_ON_MY_POST: _("내 방에 댓글이 달렸을 때"),
    AlarmType.RANDOM_MATCH_EXPIRED: _("랜덤 매칭 상대를 찾지 못했을 때"),
    AlarmType.MEETING_CHECK: _("만났는지 물어볼 때"),
    AlarmType.MATCH_ABSENT: _("매칭에 나오지 않았다고 알려졌을 때"),
    AlarmType.RANDOM_MATCH_PAUSED: _("불참으로 랜덤 매칭이 멈췄을 때"),
}


class PreferencesForm(forms.Form):
    slack_notices = forms.BooleanField(
        label=_("매칭이 되면 Slack으로도 알려 주세요"),
        required=False,
        help_text=_("끄면 매칭의 Slack 단체 대화방에 나를 넣지 않아요."),
    )
    random_snooze_until = forms.DateField(
        label=_("랜덤 매칭 쉬기: 이 날부터 다시 받기"),
        required=False,
        help_text=_("이 날 전까지는 랜덤 매칭을 신청할 수 없어요. 비우면 쉬지 않아요."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Not `language`: that name is the language switch's, which drafts leave out.
    preferred_language = forms.ChoiceField(
        label=_("언어"),
        required=False,
        choices=[("", _("브라우저 설정을 따라요")), *Language.choices],
    )

    def __init__(self, *args, today: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or seoul_today()
        for kind in AlarmType.values:
            self.fields[f"alarm_{kind}"] = forms.BooleanField(
                label=ALARM_SWITCH_LABELS[kind], required=False
            )

    @classmethod
    def for_user(cls, user, *, today: date | None = None) -> "PreferencesForm":
        switches = user_alarm_switches(user=user)
        initial = {
            "slack_notices": user.slack_notices,
            "random_snooze_until": user_random_snoozed_until(user=user, today=today),
            "preferred_language": user.language,
            **{f"alarm_{kind}": on for kind, on in switches.items()},
        }
        return cls(initial=initial, today=today)

    def alarm_fields(self) -> list[forms.BoundField]:
        return [self[f"alarm_{kind}"] for kind in AlarmType.values]

    def clean_random_snooze_until(self) -> date | None:
        try:
            return snooze_clean(self.cleaned_data.get("random_snooze_until"), today=self.today)
        except ProfileRuleError as exc:
            raise _reasons(exc) from exc

    def changes(self) -> dict:
        """The service's keyword arguments; call after `is_valid()`."""
        data = self.cleaned_data
        return {
            "slack_notices": data["slack_notices"],
            "alarm_types": {kind: data[f"alarm_{kind}"] for kind in AlarmType.values},
            "random_snooze_until": data["random_snooze_until"],
            "language": data["preferred_language"],
        }
