from django import forms
from django.utils.translation import gettext_lazy as _

from restaurants.geo import campus_keys, campus_list
from restaurants.selectors import NEAR_WALK_MINUTES, RecommendationQuery

DEFAULT_CAMPUS = "GAEPO"
MAX_WALK_MINUTES = 120
WALK_MINUTE_CHOICES = (5, 10, 15, 20, 30)


def _campus_choices() -> list[tuple[str, str]]:
    return [(campus.key, campus.name) for campus in campus_list()]


class RecommendationForm(forms.Form):
    """The recommendation filters, for the page (GET form) and the API (query parameters)."""

    campus = forms.ChoiceField(label=_("캠퍼스"), choices=_campus_choices, required=False)
    category = forms.CharField(label=_("종류"), max_length=50, required=False)
    # Left out: near the cluster (NEAR_WALK_MINUTES); 0: no limit at all.
    max_walk_minutes = forms.IntegerField(
        label=_("걸어서 최대 (분)"), min_value=0, max_value=MAX_WALK_MINUTES, required=False
    )

    def clean_max_walk_minutes(self) -> int | None:
        minutes = self.cleaned_data["max_walk_minutes"]
        if minutes is None:
            return NEAR_WALK_MINUTES
        return minutes or None

    def clean_campus(self) -> str:
        campus = self.cleaned_data["campus"]
        if campus:
            return campus
        return DEFAULT_CAMPUS if DEFAULT_CAMPUS in campus_keys() else campus_keys()[0]

    def recommendation_query(self) -> RecommendationQuery:
        data = self.cleaned_data
        return RecommendationQuery(
            campus=data["campus"],
            category=data["category"].strip(),
            max_walk_minutes=data["max_walk_minutes"],
        )
