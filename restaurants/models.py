from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partner42.models import PublicModel
from restaurants.geo import walk_minutes


class PriceLevel(models.IntegerChoices):
    CHEAP = 1, "₩"
    MODERATE = 2, "₩₩"
    PRICEY = 3, "₩₩₩"
    EXPENSIVE = 4, "₩₩₩₩"


class Restaurant(PublicModel):
    """A place to eat near the campuses.

    Rows from the Seoul licence data carry their licence id (관리번호) and are upserted by it;
    `price_level` and `link` are curated in the admin and never touched by an import.
    """

    licence_id = models.CharField(
        _("licence id"), max_length=64, unique=True, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=50, blank=True, db_index=True)
    address = models.CharField(_("lot address"), max_length=300, blank=True)
    road_address = models.CharField(_("road address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    price_level = models.PositiveSmallIntegerField(
        _("price level"), choices=PriceLevel.choices, null=True, blank=True
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    is_open = models.BooleanField(_("open"), default=True, db_index=True)

    class Meta:
        verbose_name = _("restaurant")
        verbose_name_plural = _("restaurants")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_address(self) -> str:
        return self.road_address or self.address

    @property
    def category_label(self) -> str:
        from restaurants.categories import category_label

        return category_label(self.category)


class CampusDistance(models.Model):
    """Straight-line distance from a restaurant to one campus (settings.CAMPUSES), kept on write."""

    restaurant = models.ForeignKey(
        Restaurant,
        on_delete=models.CASCADE,
        related_name="distances",
        verbose_name=_("restaurant"),
    )
    campus = models.CharField(_("campus"), max_length=20)
    metres = models.PositiveIntegerField(_("metres"))

    class Meta:
        verbose_name = _("campus distance")
        verbose_name_plural = _("campus distances")
        constraints = [
            models.UniqueConstraint(
                fields=["restaurant", "campus"], name="uniq_restaurant_campus_distance"
            )
        ]
        indexes = [models.Index(fields=["campus", "metres"], name="restaurant_campus_metres")]

    def __str__(self) -> str:
        return f"{self.restaurant_id} → {self.campus}: {self.metres} m"

    @property
    def walk_minutes(self) -> int:
        return walk_minutes(self.metres)
