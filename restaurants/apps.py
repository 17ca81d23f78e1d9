from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RestaurantsConfig(AppConfig):
    name = "restaurants"
    verbose_name = _("Restaurants")
    # Walked by `manage.py load_demo` (partner42.demo), in INSTALLED_APPS order.
    demo_loaders = ("restaurants.demo.restaurants_demo_load",)
