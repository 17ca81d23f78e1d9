"""The dashboard's numbers as rows: the same ones for the page's tables and the CSV file."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext as _

from matching.models import REVIEW_SCORES, ActivityMatchScore
from matching.models import RandomMatchRequest as Request
from partner42.choices import ContentCategory, MethodCategory
from rooms.insights.charts import Chart, Series, day_bars, horizontal_bars
from rooms.insights.selectors import CATEGORY_METHODS, OUTCOMES, Insights


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header: stable, never translated
    label: str


def daily_columns() -> list[Column]:
    columns = [Column("day", _("날짜"))]
    for category, method in CATEGORY_METHODS:
        columns.append(
            Column(
                f"matches_{category}_{method}".lower(),
                _("매칭 %(category)s · %(method)s")
                % {
                    "category": ContentCategory(category).label,
                    "method": MethodCategory(method).label,
                },
            )
        )
    columns.append(Column("matches", _("매칭 합계")))
    columns.append(Column("requests", _("랜덤 신청")))
    for outcome in OUTCOMES:
        columns.append(
            Column(
                f"requests_{outcome}".lower(),
                _("신청 %(outcome)s") % {"outcome": Request.Status(outcome).label},
            )
        )
    columns += [
        Column("rooms_opened", _("열린 방")),
        Column("rooms_completed", _("마감된 방")),
    ]
    return columns


def daily_rows(found: Insights) -> list[list]:
    """A row per day of the range, days without data included, in `daily_columns` order."""
    rows = []
    for day in found.span.days:
        matches = [found.matches.get((day, c, m), 0) for c, m in CATEGORY_METHODS]
        outcomes = [
            sum(found.requests.get((day, c, o), 0) for c in ContentCategory.values)
            for o in OUTCOMES
        ]
        opened = sum(found.rooms_opened.get((day, c), 0) for c in ContentCategory.values)
        completed = sum(found.rooms_completed.get((day, c), 0) for c in ContentCategory.values)
        rows.append([day, *matches, sum(matches), sum(outcomes), *outcomes, opened, completed])
    return rows


def total_row(rows: list[list]) -> list:
    return [_("합계"), *(sum(row[i] for row in rows) for i in range(1, len(rows[0])))]


def minutes_seconds(value: timedelta | None) -> str:
    if value is None:
        return "–"
    seconds = round(value.total_seconds())
    return _("%(minutes)d분 %(seconds)d초") % {"minutes": seconds // 60, "seconds": seconds % 60}


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _seconds(value: timedelta | None) -> str:
    return "" if value is None else str(round(value.total_seconds()))


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


@dataclass(frozen=True)
class Figure:
    key: str  # the CSV name
    label: str
    shown: str  # as the page shows it
    raw: str  # as the CSV file has it


def summary(found: Insights) -> list[Figure]:
    matches = sum(found.matches.values())
    figures = [
        Figure(
            "active_students",
            _("활동한 학생"),
            str(found.active_students),
            str(found.active_students),
        ),
        Figure("matches", _("매칭 합계"), str(matches), str(matches)),
        Figure(
            "requests", _("랜덤 신청"), str(found.requests_total()), str(found.requests_total())
        ),
        Figure("expiry_rate", _("만료율"), percent(found.expiry_rate), _ratio(found.expiry_rate)),
    ]
    for key, label in _category_keys():
        wait = found.median_wait.get(key)
        figures.append(
            Figure(
                f"median_wait_seconds_{key}".replace("*", "all").lower(),
                _("매칭까지 대기 시간 중앙값 (%(category)s)") % {"category": label},
                minutes_seconds(wait),
                _seconds(wait),
            )
        )
    for key, label in _category_keys():
        waiting, waited = found.waiting_now.get(key, 0), found.waiting_now_median.get(key)
        figures.append(
            Figure(
                f"waiting_now_{key}".replace("*", "all").lower(),
                _("지금 대기 중인 신청 (%(category)s)") % {"category": label},
                str(waiting),
                str(waiting),
            )
        )
        figures.append(
            Figure(
                f"waiting_now_median_seconds_{key}".replace("*", "all").lower(),
                _("지금 대기 중인 신청의 대기 시간 중앙값 (%(category)s)") % {"category": label},
                minutes_seconds(waited),
                _seconds(waited),
            )
        )
    opened = sum(found.rooms_opened.values())
    completed = sum(found.rooms_completed.values())
    figures += [
        Figure("rooms_opened", _("열린 방"), str(opened), str(opened)),
        Figure("rooms_completed", _("마감된 방"), str(completed), str(completed)),
        Figure("reviews", _("리뷰 점수"), str(found.reviews_total), str(found.reviews_total)),
        Figure(
            "no_show_rate", _("불참률"), percent(found.no_show_rate), _ratio(found.no_show_rate)
        ),
    ]
    return figures


def _category_keys() -> list[tuple[str, str]]:
    return [("*", _("전체")), *((c.value, str(c.label)) for c in ContentCategory)]


@dataclass(frozen=True)
class ScoreRow:
    key: str
    label: str
    count: int
    share: str


def review_rows(found: Insights) -> list[ScoreRow]:
    total = found.reviews_total
    return [
        ScoreRow(
            score,
            str(ActivityMatchScore(score).label),
            found.reviews.get(score, 0),
            percent(found.reviews.get(score, 0) / total if total else None),
        )
        for score in REVIEW_SCORES
    ]


def charts(found: Insights) -> list[Chart]:
    days = found.span.days
    by_day = daily_rows(found)
    column = {c.key: n for n, c in enumerate(daily_columns())}

    def values(key: str) -> list[int]:
        return [row[column[key]] for row in by_day]

    match_series = [
        Series(
            f"{ContentCategory(c).label} · {MethodCategory(m).label}",
            values(f"matches_{c}_{m}".lower()),
        )
        for c, m in CATEGORY_METHODS
    ]
    request_series = [
        Series(str(Request.Status(o).label), values(f"requests_{o}".lower())) for o in OUTCOMES
    ]
    room_series = [
        Series(_("열린 방"), values("rooms_opened")),
        Series(_("마감된 방"), values("rooms_completed")),
    ]
    scores = review_rows(found)
    return [
        day_bars(
            key="matches",
            title=_("하루 매칭 수"),
            description=_("분류와 방식별로 쌓은 하루 매칭 수. 같은 숫자가 아래 표에 있습니다."),
            days=days,
            series=match_series,
        ),
        day_bars(
            key="requests",
            title=_("하루 랜덤 신청 수"),
            description=_(
                "신청한 날과 결과별로 쌓은 랜덤 매칭 신청 수. 같은 숫자가 아래 표에 있습니다."
            ),
            days=days,
            series=request_series,
        ),
        day_bars(
            key="rooms",
            title=_("하루 열린 방과 마감된 방"),
            description=_("날마다 열린 방과 마감된 방을 나란히. 같은 숫자가 아래 표에 있습니다."),
            days=days,
            series=room_series,
            grouped=True,
        ),
        horizontal_bars(
            key="reviews",
            title=_("리뷰 점수 분포"),
            description=_("기간 중 멤버끼리 준 점수별 개수. 같은 숫자가 아래 표에 있습니다."),
            labels=[row.label for row in scores],
            values=[row.count for row in scores],
        ),
    ]
