"""Page forms: shape, and the field rules a student should hear about all at once (a date before
today is a field error next to an empty title, not a second round trip). The services check every
rule again; their errors are put back on the matching field by `apply_error`."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from partner42.choices import (
    CATEGORY_CONDITION_KINDS,
    ConditionKind,
    ContentCategory,
    Place,
    TimeOfEating,
    TypeOfStudy,
    WayOfEating,
)
from partner42.errors import ApplicationError, ErrorCode
from partner42.text import validate_visible_text
from restaurants.models import Restaurant
from restaurants.selectors import restaurant_choice_groups, restaurant_get
from rooms.models import CAPACITY_MAX, CAPACITY_MIN, COMMENT_MAX, CONTENT_MAX, TITLE_MAX
from rooms.selectors import room_today

# Form field per condition kind, in display order.
CONDITION_FIELDS = {
    ConditionKind.PLACE: ("places", _("장소"), Place),
    ConditionKind.TIME_OF_EATING: ("times_of_eating", _("식사 시간"), TimeOfEating),
    ConditionKind.WAY_OF_EATING: ("ways_of_eating", _("식사 방식"), WayOfEating),
    ConditionKind.TYPE_OF_STUDY: ("types_of_study", _("공부 종류"), TypeOfStudy),
}

# The services name fields as the API does; the forms use these names.
_API_TO_FORM = {
    "title": "title",
    "content": "content",
    "date": "date",
    "meetingTime": "meeting_time",
    "participantNumMax": "participant_num_max",
    "anonymity": "anonymity",
    "restaurantId": "restaurant",
    **{
        list_name: CONDITION_FIELDS[kind][0]
        for kind, list_name in {
            ConditionKind.PLACE: "placeList",
            ConditionKind.TIME_OF_EATING: "timeOfEatingList",
            ConditionKind.WAY_OF_EATING: "wayOfEatingList",
            ConditionKind.TYPE_OF_STUDY: "typeOfStudyList",
        }.items()
    },
}


def apply_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service error on the form: on each named field it knows, else above the form."""
    placed = False
    for item in error.errors:
        field = _API_TO_FORM.get(item.get("field", ""))
        if field in form.fields:
            # A validation error (C001) is best said by its reason; a rule of its own (AR011 …)
            # by its message, which names the rule.
            invalid_input = error.error_code is ErrorCode.INVALID_INPUT
            form.add_error(field, (invalid_input and item.get("reason")) or error.message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class RoomForm(forms.Form):
    """Create and edit; the condition pickers are those of the room's category."""

    title = forms.CharField(
        label=_("제목"), max_length=TITLE_MAX, validators=[validate_visible_text]
    )
    date = forms.DateField(
        label=_("날짜"),
        input_formats=["%Y-%m-%d"],  # also takes 2030-1-5, as the React client sends
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("오늘(서울 기준)부터 고를 수 있어요."),
    )
    meeting_time = forms.TimeField(
        label=_("모임 시간 (선택)"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    participant_num_max = forms.IntegerField(
        label=_("최대 인원"), min_value=CAPACITY_MIN, max_value=CAPACITY_MAX, initial=4
    )
    anonymity = forms.BooleanField(label=_("익명으로 올리기"), required=False)
    content = forms.CharField(
        label=_("내용"),
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[validate_visible_text],
    )

    def __init__(self, *args, category: str, today: dt.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        self.today = today or room_today()
        # The picker offers no past day; the rule itself is clean_date's (and the service's).
        self.fields["date"].widget.attrs["min"] = self.today.isoformat()
        for kind in CATEGORY_CONDITION_KINDS[category]:
            name, label, enum = CONDITION_FIELDS[kind]
            self.fields[name] = forms.MultipleChoiceField(
                label=label,
                choices=enum.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        if category == ContentCategory.MEAL:
            self.fields["restaurant"] = _restaurant_field(
                self.data.get("restaurant") or self.initial.get("restaurant")
            )

    def clean_date(self) -> dt.date:
        value = self.cleaned_data["date"]
        if value < self.today:
            # The service's AR011, said with the other field errors rather than after them.
            raise forms.ValidationError(ErrorCode.DATE_IN_PAST.message, code="past")
        return value

    @property
    def condition_fields(self) -> list:
        return [self[CONDITION_FIELDS[kind][0]] for kind in CATEGORY_CONDITION_KINDS[self.category]]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "title": data["title"],
            "content": data["content"],
            "meeting_date": data["date"],
            "meeting_time": data.get("meeting_time"),
            "anonymity": data["anonymity"],
            "participant_num_max": data["participant_num_max"],
            "conditions": {
                kind: data.get(CONDITION_FIELDS[kind][0]) or []
                for kind in CATEGORY_CONDITION_KINDS[self.category]
            },
        }
        if "restaurant" in self.fields:
            kwargs["restaurant"] = data.get("restaurant")
        return kwargs

    @classmethod
    def initial_for(cls, room, conditions: dict[str, list[str]]) -> dict:
        initial = {
            "title": room.title,
            "date": room.date,
            "meeting_time": room.meeting_time,
            "participant_num_max": room.participant_num_max,
            "anonymity": room.anonymity,
            "content": room.content,
        }
        for kind, (name, _label, _enum) in CONDITION_FIELDS.items():
            initial[name] = conditions.get(kind, [])
        if room.restaurant_id:
            initial["restaurant"] = str(room.restaurant.api_id)
        return initial


def _restaurant_field(current: object) -> forms.ModelChoiceField:
    """Nearby open restaurants, grouped by campus; any restaurant validates (the service checks)."""
    field = forms.ModelChoiceField(
        label=_("식당"),
        queryset=Restaurant.objects.all(),
        to_field_name="api_id",
        required=False,
    )
    choices: list = [("", _("아직 안 정했어요"))]
    offered: set[str] = set()
    for campus, cards in restaurant_choice_groups():
        options = [
            (
                str(card.api_id),
                _("%(name)s · %(category)s · %(minutes)s분")
                % {"name": card.name, "category": card.category, "minutes": card.walk_minutes},
            )
            for card in cards
        ]
        offered.update(value for value, _label in options)
        if options:
            choices.append((campus.name, options))
    if current and str(current) not in offered:
        # The room's own restaurant, even if it closed or is farther away: keep it selectable.
        named = restaurant_get(api_id=str(current))
        if named is not None:
            choices.append((_("지금 식당"), [(str(named.api_id), named.name)]))
    field.choices = choices
    return field


class CommentForm(forms.Form):
    content = forms.CharField(
        label=_("댓글"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_visible_text],
    )
    parent = forms.UUIDField(required=False, widget=forms.HiddenInput)


class BoardFilterForm(forms.Form):
    """The board's filters (GET). An invalid value is dropped, never an error page."""

    category = forms.ChoiceField(choices=ContentCategory.choices, required=False)
    status = forms.ChoiceField(
        label=_("상태"),
        choices=[("open", _("모집 중")), ("complete", _("완료")), ("all", _("전체"))],
        required=False,
    )
    anonymity = forms.ChoiceField(
        label=_("익명"),
        choices=[("", _("전체")), ("no", _("실명 방")), ("yes", _("익명 방"))],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("정렬"),
        choices=[("date", _("모임 날짜 순")), ("created", _("최근 등록 순"))],
        required=False,
    )
    places = forms.MultipleChoiceField(
        label=_("장소"), choices=Place.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    times_of_eating = forms.MultipleChoiceField(
        label=_("식사 시간"),
        choices=TimeOfEating.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ways_of_eating = forms.MultipleChoiceField(
        label=_("식사 방식"),
        choices=WayOfEating.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    types_of_study = forms.MultipleChoiceField(
        label=_("공부 종류"),
        choices=TypeOfStudy.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    page = forms.IntegerField(min_value=0, max_value=10_000, required=False)
    size = forms.IntegerField(min_value=1, max_value=100, required=False)

    def value(self, name: str, default=None):
        """The cleaned value, or the default when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "", []) else value
