import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partner42.settings")

app = Celery("partner42")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
