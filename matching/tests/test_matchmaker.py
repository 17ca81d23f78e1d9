"""The pairing plan, table-driven and without a database (matching.matchmaker)."""

from datetime import UTC, datetime, timedelta

import pytest

from matching.matchmaker import Candidate, Planner, mask_of
from partner42.choices import Place, WayOfEating

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
PLACES = list(Place.values)
WAYS = list(WayOfEating.values)


def queue(*specs) -> list[Candidate]:
    """specs: (user, places, ways) in arrival order; request ids are 1, 2, 3 ..."""
    return [
        Candidate(
            request_id=i,
            user_id=user,
            version=0,
            created_at=T0 + timedelta(seconds=i),
            place_mask=mask_of(places, PLACES),
            option_mask=mask_of(ways, WAYS),
        )
        for i, (user, places, ways) in enumerate(specs, start=1)
    ]


def users_of(groups) -> list[list[int]]:
    return [[c.user_id for c in group] for group in groups]


ANY: list[str] = []


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        pytest.param(
            [(1, ["GAEPO"], ["EATOUT"]), (2, ["GAEPO"], ["EATOUT"])],
            [[1, 2]],
            id="identical",
        ),
        pytest.param(
            [(1, ["GAEPO", "SEOCHO"], ["EATOUT"]), (2, ["SEOCHO"], ["EATOUT", "DELIVERY"])],
            [[1, 2]],
            id="overlapping-lists",
        ),
        pytest.param(
            [(1, ["GAEPO"], ["EATOUT"]), (2, ["SEOCHO"], ["EATOUT"])],
            [],
            id="places-disjoint",
        ),
        pytest.param(
            [(1, ["GAEPO"], ["EATOUT"]), (2, ["GAEPO"], ["DELIVERY"])],
            [],
            id="ways-disjoint",
        ),
        pytest.param(
            [(1, ["GAEPO"], ["EATOUT"]), (2, ["SEOCHO"], ["DELIVERY"])],
            [],
            id="both-disjoint",
        ),
        pytest.param(
            [(1, ANY, ANY), (2, ["OUT_OF_CLUSTER"], ["TAKEOUT"])],
            [[1, 2]],
            id="any-matches-anything",
        ),
        pytest.param(
            [(1, ANY, ["EATOUT"]), (2, ["SEOCHO"], ANY)],
            [[1, 2]],
            id="any-per-list",
        ),
        pytest.param(
            [(1, ANY, ["EATOUT"]), (2, ANY, ["TAKEOUT"])],
            [],
            id="any-place-but-ways-disjoint",
        ),
        pytest.param(
            [(1, ["GAEPO"], ANY)],
            [],
            id="alone",
        ),
        pytest.param(
            [(1, ANY, ANY), (1, ANY, ANY)],
            [],
            id="never-with-themself",
        ),
        pytest.param(
            [(1, ["GAEPO"], ANY), (2, ["SEOCHO"], ANY), (3, ANY, ANY), (4, ["SEOCHO"], ANY)],
            [[1, 3], [2, 4]],
            id="oldest-first",
        ),
        pytest.param(
            [(1, ANY, ANY), (2, ANY, ANY), (3, ANY, ANY), (4, ANY, ANY), (5, ANY, ANY)],
            [[1, 2], [3, 4]],
            id="odd-one-waits",
        ),
        pytest.param(
            [(1, ["GAEPO"], ["EATOUT"]), (2, ["SEOCHO"], ANY), (3, ANY, ["DELIVERY"])],
            [[2, 3]],
            id="unmatchable-oldest-does-not-block-the-queue",
        ),
    ],
)
def test_it_pairs_compatible_requests_oldest_first(specs, expected):
    assert users_of(Planner(size=2).plan(queue(*specs))) == expected


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        pytest.param(
            [(1, ANY, ANY), (2, ANY, ANY), (3, ANY, ANY), (4, ANY, ANY)],
            [[1, 2, 3]],
            id="three-of-four",
        ),
        pytest.param(
            [(1, ["GAEPO", "SEOCHO"], ANY), (2, ["GAEPO"], ANY), (3, ["SEOCHO"], ANY)],
            [],
            id="pairwise-compatible-but-nothing-in-common",
        ),
        pytest.param(
            [
                (1, ["GAEPO", "SEOCHO"], ANY),
                (2, ["SEOCHO"], ANY),
                (3, ["GAEPO"], ANY),
                (4, ["SEOCHO"], ANY),
            ],
            [[1, 2, 4]],
            id="group-keeps-a-common-condition",
        ),
    ],
)
def test_it_makes_groups_of_the_match_size(specs, expected):
    assert users_of(Planner(size=3).plan(queue(*specs))) == expected


def test_it_prefers_partners_never_met_before():
    planner = Planner(past_partners={1: {2}, 2: {1}})
    groups = planner.plan(queue((1, ANY, ANY), (2, ANY, ANY), (3, ANY, ANY)))
    assert users_of(groups) == [[1, 3]]


def test_it_still_pairs_past_partners_when_nobody_else_fits():
    planner = Planner(past_partners={1: {2}, 2: {1}})
    # 3 is new to 1 but incompatible: the past partner is better than waiting.
    groups = planner.plan(queue((1, ["SEOCHO"], ANY), (2, ANY, ANY), (3, ["GAEPO"], ANY)))
    assert users_of(groups) == [[1, 2]]


def test_it_takes_the_oldest_past_partner_when_all_are_past_partners():
    planner = Planner(past_partners={1: {2, 3}, 2: {1}, 3: {1}})
    groups = planner.plan(queue((1, ANY, ANY), (2, ANY, ANY), (3, ANY, ANY)))
    assert users_of(groups) == [[1, 2]]


@pytest.mark.parametrize(
    "blocked",
    [pytest.param({1: {2}}, id="anchor-blocked-them"), pytest.param({2: {1}}, id="they-blocked")],
)
def test_it_never_pairs_blocked_users(blocked):
    # The planner gets blocks in both directions from the service; here we give one side only
    # to the user who blocked, then make it symmetric as the service does.
    symmetric = {}
    for blocker, targets in blocked.items():
        for target in targets:
            symmetric.setdefault(blocker, set()).add(target)
            symmetric.setdefault(target, set()).add(blocker)
    planner = Planner(blocked=symmetric)
    assert planner.plan(queue((1, ANY, ANY), (2, ANY, ANY))) == []
    groups = planner.plan(queue((1, ANY, ANY), (2, ANY, ANY), (3, ANY, ANY)))
    assert users_of(groups) == [[1, 3]]


def test_it_never_puts_blocked_users_in_one_group():
    planner = Planner(size=3, blocked={2: {3}, 3: {2}})
    groups = planner.plan(queue((1, ANY, ANY), (2, ANY, ANY), (3, ANY, ANY), (4, ANY, ANY)))
    assert users_of(groups) == [[1, 2, 4]]


def test_it_refuses_groups_of_one():
    with pytest.raises(ValueError, match="two members"):
        Planner(size=1).plan([])


def test_it_pairs_a_long_queue_in_arrival_order():
    candidates = queue(*[(u, ANY, ANY) for u in range(1, 2001)])
    groups = Planner().plan(candidates)
    assert len(groups) == 1000
    assert [c.user_id for c in groups[-1]] == [1999, 2000]
