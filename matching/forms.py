"""Forms of the matching pages: the random-match request, blocks, and the review of a match."""

from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import RANDOM_CONDITION_KINDS, REVIEW_SCORES, ActivityMatchScore
from matching.selectors.matches import MemberView
from partner42.choices import CONDITION_ENUMS, ContentCategory


class RandomMatchForm(forms.Form):
    """Conditions of one category; nothing ticked in a group means any."""

    category = forms.ChoiceField(choices=ContentCategory.choices, widget=forms.HiddenInput)
    places = forms.MultipleChoiceField(
        label=_("장소"), required=False, widget=forms.CheckboxSelectMultiple
    )
    options = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, category: str, **kwargs) -> None:
        kwargs.setdefault("initial", {})["category"] = category
        super().__init__(*args, **kwargs)
        place_kind, option_kind = RANDOM_CONDITION_KINDS[category]
        self.fields["places"].choices = CONDITION_ENUMS[place_kind].choices
        self.fields["options"].choices = CONDITION_ENUMS[option_kind].choices
        self.fields["options"].label = (
            _("식사 방식") if category == ContentCategory.MEAL else _("공부 종류")
        )


class CategoryForm(forms.Form):
    category = forms.ChoiceField(choices=ContentCategory.choices)


class BlockForm(forms.Form):
    user_id = forms.UUIDField()


# 0 stars is a no-show (MATCH_ABSENT), then 1 to 5, as the React client maps them.
STAR_LABELS = {
    ActivityMatchScore.MATCH_ABSENT: _("불참"),
    ActivityMatchScore.MATCH_REVIEW_1: _("★1"),
    ActivityMatchScore.MATCH_REVIEW_2: _("★2"),
    ActivityMatchScore.MATCH_REVIEW_3: _("★3"),
    ActivityMatchScore.MATCH_REVIEW_4: _("★4"),
    ActivityMatchScore.MATCH_REVIEW_5: _("★5"),
}


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


class MeetingForm(forms.Form):
    """ "Did you meet?": yes or no, and who did not come. The others are addressed by their place
    in the members' order (`absent` values "0", "1" ...), like the review's fields, so the page
    never carries a hidden author's identity."""

    met = forms.TypedChoiceField(
        label=_("만났나요?"),
        choices=[("yes", _("네, 만났어요")), ("no", _("아니요, 못 만났어요"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    absent = forms.MultipleChoiceField(
        label=_("오지 않은 사람"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, targets: list[MemberView], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.fields["absent"].choices = [
            (str(index), target.label) for index, target in enumerate(targets)
        ]

    def absent_users(self) -> list:
        """The users named absent, for the service; call after `is_valid()`."""
        return [self.targets[int(index)].member.user for index in self.cleaned_data["absent"]]
