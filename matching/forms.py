from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import RANDOM_CONDITION_KINDS
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
