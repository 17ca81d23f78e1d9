import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partner42.errors import NotFoundError

_INSERT_TIME = "_p42_insert_time"


class _InsertTimeField(models.DateTimeField):
    """`auto_now_add`/`auto_now` reading the clock once per insert.

    Django's two fields call `timezone.now()` each, so a new row's `created_at` and `updated_at`
    differed by microseconds and clients comparing them (the React client's "(수정됨)") saw
    every new row as edited. On insert both take the same instant; on update `auto_now` reads the
    clock as usual. `save()` and `bulk_create()` both go through `pre_save`, fields in model
    order, so `created_at` (declared first) sets the instant that `updated_at` reuses.
    """

    def pre_save(self, model_instance, add):
        if add and (self.auto_now or self.auto_now_add):
            if self.auto_now_add or not hasattr(model_instance, _INSERT_TIME):
                setattr(model_instance, _INSERT_TIME, timezone.now())
            value = getattr(model_instance, _INSERT_TIME)
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)

    def deconstruct(self):
        # Migrations see a plain DateTimeField: the change is behaviour only.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs


class TimeStampedModel(models.Model):
    created_at = _InsertTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = _InsertTimeField(_("updated at"), auto_now=True)

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
