from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users")
    # Walked by `manage.py load_demo` (partner42.demo), in INSTALLED_APPS order.
    demo_loaders = ("accounts.demo.demo_students_load",)
