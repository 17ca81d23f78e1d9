import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from partner42.errors import NotFoundError


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class PublicModel(TimeStampedModel):
    """A row with a random public id (`api_id`): the only id the API and URLs ever show."""

    api_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


def parse_api_id(value: Any) -> uuid.UUID:
    """A public id from a path or a body; a malformed one is as unknown as a missing row
    (404 C003)."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFoundError() from None
