from django.apps import AppConfig


class Partner42Config(AppConfig):
    name = "partner42"
    verbose_name = "42Partner"
