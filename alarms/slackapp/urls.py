"""Slack's endpoints (see alarms/slackapp/views.py), at /slack/."""

from django.urls import path

from alarms.slackapp import views

app_name = "slack"

urlpatterns = [
    path("commands", views.slack_commands, name="commands"),
    path("interactions", views.slack_interactions, name="interactions"),
]
