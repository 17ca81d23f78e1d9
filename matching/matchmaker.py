"""The pairing plan of one matchmaking pass: pure Python, no database, table-driven tests.

Conditions are bit masks: one bit per place and one per way of eating / type of study, an empty
list meaning every bit. A request's condition set is places x options, so two sets intersect
exactly when both masks intersect; a group is compatible when the AND of all its members' masks
is non-zero in both dimensions.

Requests with the same masks share a bucket kept in queue order, and there are at most 7 x 7
buckets per category, so finding the oldest compatible candidate looks at a few bucket heads
instead of the whole queue: a pass is linear in the number of requests, not quadratic.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


def mask_of(values: Iterable[str], universe: Sequence[str]) -> int:
    """The bit mask of `values` among `universe`; no values means any value (all bits)."""
    mask = 0
    for value in values:
        mask |= 1 << universe.index(value)
    return mask or (1 << len(universe)) - 1


@dataclass(frozen=True)
class Candidate:
    """A waiting request as the planner sees it (`version` travels to the guarded update)."""

    request_id: int
    user_id: int
    version: int
    created_at: datetime
    place_mask: int
    option_mask: int

    @property
    def order_key(self) -> tuple[datetime, int]:
        return (self.created_at, self.request_id)


@dataclass
class _Bucket:
    place_mask: int
    option_mask: int
    items: list[Candidate] = field(default_factory=list)
    # skip[i]: an index >= i+1 to try after items[i] once it is known to be taken; compressed
    # as we go so that taken items are stepped over once, not once per anchor.
    skip: list[int] = field(default_factory=list)
    head: int = 0


@dataclass
class Planner:
    """Plans groups of `size` compatible requests, oldest first.

    `past_partners[u]` holds the users `u` has been matched with before (soft: tried last);
    `blocked[u]` the users `u` must never meet, in both directions (hard).
    """

    size: int = 2
    past_partners: dict[int, set[int]] = field(default_factory=dict)
    blocked: dict[int, set[int]] = field(default_factory=dict)

    def plan(self, candidates: Iterable[Candidate]) -> list[list[Candidate]]:
        if self.size < 2:
            raise ValueError("A match needs at least two members")
        queue = sorted(candidates, key=lambda c: c.order_key)
        buckets: dict[tuple[int, int], _Bucket] = {}
        for candidate in queue:
            key = (candidate.place_mask, candidate.option_mask)
            bucket = buckets.setdefault(key, _Bucket(*key))
            bucket.skip.append(len(bucket.items) + 1)
            bucket.items.append(candidate)
        taken: set[int] = set()
        groups: list[list[Candidate]] = []
        for anchor in queue:
            if anchor.request_id in taken:
                continue
            group = self._fill(anchor, buckets.values(), taken)
            if group is not None:
                taken.update(c.request_id for c in group)
                groups.append(group)
        return groups

    def _fill(
        self, anchor: Candidate, buckets: Iterable[_Bucket], taken: set[int]
    ) -> list[Candidate] | None:
        buckets = list(buckets)
        group = [anchor]
        place_mask, option_mask = anchor.place_mask, anchor.option_mask
        while len(group) < self.size:
            chosen = self._best(group, place_mask, option_mask, buckets, taken)
            if chosen is None:
                return None
            group.append(chosen)
            place_mask &= chosen.place_mask
            option_mask &= chosen.option_mask
        return group

    def _best(
        self,
        group: list[Candidate],
        place_mask: int,
        option_mask: int,
        buckets: list[_Bucket],
        taken: set[int],
    ) -> Candidate | None:
        in_group = {c.request_id for c in group}
        users = {c.user_id for c in group}
        excluded: set[int] = set(users)
        partners: set[int] = set()
        for user_id in users:
            excluded |= self.blocked.get(user_id, set())
            partners |= self.past_partners.get(user_id, set())
        best_new: Candidate | None = None
        best_past: Candidate | None = None
        for bucket in buckets:
            if not (bucket.place_mask & place_mask and bucket.option_mask & option_mask):
                continue
            # The oldest eligible candidate that is new to the group, and failing that the
            # oldest eligible past partner; stop walking the bucket at the first new one.
            for candidate in _walk(bucket, taken, in_group):
                if candidate.user_id in excluded:
                    continue
                if candidate.user_id in partners:
                    if best_past is None or candidate.order_key < best_past.order_key:
                        best_past = candidate
                    continue
                if best_new is None or candidate.order_key < best_new.order_key:
                    best_new = candidate
                break
        return best_new or best_past


def _walk(bucket: _Bucket, taken: set[int], in_group: set[int]) -> Iterable[Candidate]:
    items = bucket.items
    index = _alive(bucket, bucket.head, taken)
    bucket.head = index
    while index < len(items):
        candidate = items[index]
        if candidate.request_id not in in_group:
            yield candidate
        index = _alive(bucket, index + 1, taken)


def _alive(bucket: _Bucket, index: int, taken: set[int]) -> int:
    """The first index >= `index` whose request is not taken, compressing the path walked."""
    items, skip = bucket.items, bucket.skip
    path = []
    while index < len(items) and items[index].request_id in taken:
        path.append(index)
        index = skip[index]
    for step in path:
        skip[step] = index
    return index
