"""The dashboard's date range: two Seoul days, both included, at most `MAX_DAYS` apart."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from rooms.insights.selectors import MAX_DAYS, DateRange

DEFAULT_DAYS = 30


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class InsightsRangeForm(forms.Form):
    start = forms.DateField(label=_("시작일"), widget=DateInput())
    end = forms.DateField(label=_("종료일"), widget=DateInput())

    @classmethod
    def from_query(cls, query, *, today: date) -> "InsightsRangeForm":
        """A bound form from the page's query; a day left out takes its default (the last
        `DEFAULT_DAYS` days up to today in Seoul)."""
        data = {
            "end": query.get("end") or today.isoformat(),
            "start": query.get("start") or "",
        }
        if not data["start"]:
            try:
                end = date.fromisoformat(data["end"])
            except ValueError:
                end = today
            data["start"] = (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        return cls(data)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("종료일은 시작일과 같거나 뒤여야 합니다."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(
                    "end",
                    _("기간은 최대 %(days)d일까지 볼 수 있습니다.") % {"days": MAX_DAYS},
                )
        return cleaned

    def span(self) -> DateRange:
        return DateRange(self.cleaned_data["start"], self.cleaned_data["end"])
