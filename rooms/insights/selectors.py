"""The dashboard's numbers, each one SQL aggregate over a range of Seoul days.

A range is `[start, end]`, both days included, in Seoul. Rows are counted on the day (in Seoul)
they were created: matches and rooms by `created_at`, rooms completed by `completed_at`, requests
by `created_at`, reviews by `created_at`. The number of queries never depends on the range or on
the data: per-day series come from one GROUP BY each, the medians from one window query each.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from accounts.models import User
from matching.models import REVIEW_SCORES, ActivityMatchScore, Match, MemberReview
from matching.models import RandomMatchRequest as Request
from partner42.choices import ContentCategory, MethodCategory
from rooms.models import Comment, Participation, Room
from rooms.selectors import SEOUL

# Seoul has kept UTC+9 without daylight saving since 1988, so a fixed shift turns a stored UTC
# instant into its Seoul wall time on every database. (A named zone would need MariaDB's time
# zone tables, which a plain install lacks: CONVERT_TZ(..., 'Asia/Seoul') answers NULL.)
SEOUL_OFFSET = timedelta(hours=9)
MAX_DAYS = 366
EXPIRED = Request.Status.EXPIRED
KEYS = ["*", *ContentCategory.values]  # every category, then each one
# The daily table's match columns and request outcomes, in order.
CATEGORY_METHODS = [(c, m) for c in ContentCategory.values for m in MethodCategory.values]
OUTCOMES = (Request.Status.MATCHED, EXPIRED, Request.Status.CANCELLED, Request.Status.WAITING)


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def since(self) -> datetime:
        """The first instant of `start` in Seoul."""
        return datetime.combine(self.start, time.min, tzinfo=SEOUL)

    @property
    def until(self) -> datetime:
        """The first instant after `end` in Seoul (excluded)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=SEOUL)


def seoul_day(field_name: str) -> TruncDate:
    """The Seoul day of a datetime column, computed by the database."""
    shifted = ExpressionWrapper(F(field_name) + SEOUL_OFFSET, output_field=DateTimeField())
    return TruncDate(shifted, tzinfo=UTC)


def _in_range(field_name: str, span: DateRange) -> Q:
    return Q(**{f"{field_name}__gte": span.since, f"{field_name}__lt": span.until})


def _per_day(qs: QuerySet, field_name: str, span: DateRange, *keys: str) -> list[dict]:
    """One GROUP BY: a row per (day, *keys) that has rows, with its count `n`."""
    return list(
        qs.filter(_in_range(field_name, span))
        .annotate(day=seoul_day(field_name))
        .values("day", *keys)
        .annotate(n=Count("pk"))
        .order_by()
    )


def _day(value) -> date:
    # SQLite answers the date as text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _middle_rows(qs: QuerySet, order, partition: str | None = None) -> dict[str, tuple[int, list]]:
    """Per value of `partition` (or "*" for all rows): the row count and the `median_value` of
    the middle row (odd count) or two (even count) of `qs` ordered by `order`. One query: the row
    number and the count are window functions, and a row is kept when 2 * its number is within
    [count, count + 2].

    One partition per query on purpose: MariaDB 10.11 numbers rows wrongly when one SELECT holds
    ROW_NUMBER() windows of different partitions over the same order (the unpartitioned one came
    out in partition order)."""
    partition_by = [F(partition)] if partition else []
    rows = (
        qs.annotate(
            rn=Window(RowNumber(), partition_by=partition_by, order_by=order),
            n=Window(Count("pk"), partition_by=partition_by),
        )
        .filter(n__lte=F("rn") * 2, n__gte=F("rn") * 2 - 2)
        .values(*([partition] if partition else []), "n", "median_value")
        .order_by()
    )
    found: dict[str, tuple[int, list]] = {}
    for row in rows:  # at most two rows per partition
        key = row[partition] if partition else "*"
        found.setdefault(key, (row["n"], []))[1].append(row["median_value"])
    return found


def _median(values: list):
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    low, high = sorted(values)
    return low + (high - low) / 2


def _duration(value) -> timedelta:
    # MariaDB answers a datetime difference in microseconds; SQLite as a timedelta already.
    return value if isinstance(value, timedelta) else timedelta(microseconds=int(value))


@dataclass
class Insights:
    span: DateRange
    # (day, category, method) -> matches
    matches: dict[tuple[date, str, str], int] = field(default_factory=dict)
    # (day, category, outcome) -> requests made that day, by what became of them
    requests: dict[tuple[date, str, str], int] = field(default_factory=dict)
    # category or "*" -> median time from request to match (matched requests of the range)
    median_wait: dict[str, timedelta | None] = field(default_factory=dict)
    waiting_now: dict[str, int] = field(default_factory=dict)
    # category or "*" -> median time the requests waiting now have waited so far
    waiting_now_median: dict[str, timedelta | None] = field(default_factory=dict)
    rooms_opened: dict[tuple[date, str], int] = field(default_factory=dict)
    rooms_completed: dict[tuple[date, str], int] = field(default_factory=dict)
    active_students: int = 0
    reviews: dict[str, int] = field(default_factory=dict)

    def requests_total(self, outcome: str | None = None, category: str | None = None) -> int:
        return sum(
            n
            for (_day, cat, out), n in self.requests.items()
            if (outcome is None or out == outcome) and (category is None or cat == category)
        )

    @property
    def expiry_rate(self) -> float | None:
        """Expired ÷ requests of the range that are over (matched, expired or cancelled)."""
        over = self.requests_total() - self.requests_total(Request.Status.WAITING)
        return self.requests_total(EXPIRED) / over if over else None

    @property
    def reviews_total(self) -> int:
        return sum(self.reviews.values())

    @property
    def no_show_rate(self) -> float | None:
        """Scores of "did not show up" ÷ all the scores members gave each other in the range."""
        total = self.reviews_total
        return self.reviews.get(ActivityMatchScore.MATCH_ABSENT, 0) / total if total else None


def _request_outcome(now: datetime) -> Case:
    # A waiting request past its time is expired, though beat has not closed its row yet.
    return Case(
        When(status=Request.Status.WAITING, expires_at__lte=now, then=Value(EXPIRED)),
        default=F("status"),
        output_field=CharField(),
    )


def insights_for(*, span: DateRange, now: datetime | None = None) -> Insights:
    """Every number of the dashboard for `span`: ten queries, whatever the range or the data."""
    now = now or timezone.now()
    found = Insights(span=span)

    for row in _per_day(Match.objects.all(), "created_at", span, "category", "method"):
        found.matches[(_day(row["day"]), row["category"], row["method"])] = row["n"]

    requests = Request.objects.annotate(outcome=_request_outcome(now))
    for row in _per_day(requests, "created_at", span, "category", "outcome"):
        found.requests[(_day(row["day"]), row["category"], row["outcome"])] = row["n"]

    matched = Request.objects.filter(
        _in_range("created_at", span), status=Request.Status.MATCHED, closed_at__isnull=False
    ).annotate(
        median_value=ExpressionWrapper(
            F("closed_at") - F("created_at"), output_field=DurationField()
        )
    )
    by_wait = F("median_value").asc()
    middles = {**_middle_rows(matched, by_wait, "category"), **_middle_rows(matched, by_wait)}
    found.median_wait = {
        key: _median([_duration(v) for v in middles.get(key, (0, []))[1]]) for key in KEYS
    }

    # Waiting now: not yet past its time. The median of "now - created_at" is now minus the
    # middle created_at.
    waiting = Request.objects.filter(status=Request.Status.WAITING, expires_at__gt=now).annotate(
        median_value=F("created_at")
    )
    by_age = F("created_at").asc()
    middles = {**_middle_rows(waiting, by_age, "category"), **_middle_rows(waiting, by_age)}
    found.waiting_now = {key: middles.get(key, (0, []))[0] for key in KEYS}
    found.waiting_now_median = {
        key: now - _median(middles[key][1]) if key in middles else None for key in KEYS
    }

    for row in _per_day(Room.objects.all(), "created_at", span, "category"):
        found.rooms_opened[(_day(row["day"]), row["category"])] = row["n"]
    completed = Room.objects.filter(is_complete=True)
    for row in _per_day(completed, "completed_at", span, "category"):
        found.rooms_completed[(_day(row["day"]), row["category"])] = row["n"]

    found.active_students = active_student_count(span=span)

    reviews = MemberReview.objects.filter(_in_range("created_at", span))
    found.reviews = {score: 0 for score in REVIEW_SCORES}
    for row in reviews.values("score_kind").annotate(n=Count("pk")).order_by():
        found.reviews[row["score_kind"]] = row["n"]
    return found


def active_student_count(*, span: DateRange) -> int:
    """Students who did something in the range: opened or joined a room, commented, asked for a
    random match or wrote a review. One query (EXISTS per kind of act)."""

    def did(model, user_field: str) -> Exists:
        return Exists(
            model.objects.filter(_in_range("created_at", span), **{user_field: OuterRef("pk")})
        )

    return User.objects.filter(
        did(Room, "author")
        | did(Participation, "user")
        | did(Comment, "author")
        | did(Request, "user")
        | did(MemberReview, "reviewer")
    ).count()
