import uuid

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A 42 student (or an operator, `is_staff`).

    `username` is the intra login; `api_id` is the only id the API and URLs show.
    """

    api_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nickname = models.CharField(
        _("nickname"),
        max_length=20,
        unique=True,
        validators=[MinLengthValidator(2), MaxLengthValidator(20)],
    )
    image_url = models.URLField(_("image URL"), max_length=500, blank=True)
    campus = models.CharField(_("campus"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.nickname or self.username

    def save(self, *args, **kwargs) -> None:
        # Operators made with createsuperuser have no nickname yet: start from the login.
        if not self.nickname:
            self.nickname = self.username[:20]
        super().save(*args, **kwargs)

    @property
    def is_operator(self) -> bool:
        return self.is_staff
