"""Forms of the my page: profile fields and the review of a match."""

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import REVIEW_SCORES, ActivityMatchScore
from matching.review_selectors import MemberView
from partner42.text import validate_nickname

# 0 stars is a no-show (MATCH_ABSENT), then 1 to 5, as the React client maps them.
STAR_LABELS = {
    ActivityMatchScore.MATCH_ABSENT: _("불참"),
    ActivityMatchScore.MATCH_REVIEW_1: _("★1"),
    ActivityMatchScore.MATCH_REVIEW_2: _("★2"),
    ActivityMatchScore.MATCH_REVIEW_3: _("★3"),
    ActivityMatchScore.MATCH_REVIEW_4: _("★4"),
    ActivityMatchScore.MATCH_REVIEW_5: _("★5"),
}


class NicknameForm(forms.Form):
    # The service normalises and checks again; the validator puts the reason on the field early.
    nickname = forms.CharField(
        label=_("닉네임"), max_length=20, min_length=2, strip=True, validators=[validate_nickname]
    )


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("이메일"), max_length=254)


class ReviewForm(forms.Form):
    """One required score per other member; fields `score_0` ... in the members' order, so the
    hidden author of an anonymous room is reviewed without their identity reaching the page."""

    def __init__(self, *args, targets: list[MemberView], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        for index, target in enumerate(targets):
            self.fields[f"score_{index}"] = forms.ChoiceField(
                label=target.label,
                choices=[(kind, STAR_LABELS[kind]) for kind in REVIEW_SCORES],
                widget=forms.RadioSelect,
            )

    def scores(self) -> list[tuple[object, str]]:
        """(user, score kind) for the service; call after `is_valid()`."""
        return [
            (target.member.user, self.cleaned_data[f"score_{index}"])
            for index, target in enumerate(self.targets)
        ]

    def rows(self) -> list[tuple[MemberView, forms.BoundField]]:
        return [(target, self[f"score_{index}"]) for index, target in enumerate(self.targets)]
