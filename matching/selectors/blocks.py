"""Reads of blocks: the caller's private block list."""

from django.db.models import QuerySet

from matching.models import Block


def block_list(*, blocker) -> QuerySet[Block]:
    return Block.objects.filter(blocker=blocker).select_related("blocked").order_by("-created_at")


def blocked_user_ids(*, blocker) -> set[int]:
    return set(Block.objects.filter(blocker=blocker).values_list("blocked_id", flat=True))
