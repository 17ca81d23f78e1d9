from django.urls import path

from alarms import sse
from alarms.api.views import AlarmListApi

app_name = "alarms-api"

urlpatterns = [
    path("alarms", AlarmListApi.as_view(), name="list"),
    path("alarm/subscribe", sse.alarm_subscribe, name="subscribe"),
]
