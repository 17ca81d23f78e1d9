"""Writes of blocks: block and unblock a user (the matchmaker never groups them)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from matching.models import (
    Block,
)
from partner42.errors import (
    InvalidInputError,
)


@transaction.atomic
def block_create(*, blocker, blocked) -> tuple[Block, bool]:
    """Block `blocked` for `blocker` (idempotent): they are never paired again, either way."""
    if blocker.pk == blocked.pk:
        raise InvalidInputError(message=gettext("You cannot block yourself"))
    try:
        with transaction.atomic():
            return Block.objects.create(blocker=blocker, blocked=blocked), True
    except IntegrityError:
        return Block.objects.get(blocker=blocker, blocked=blocked), False


@transaction.atomic
def block_delete(*, blocker, blocked) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)
