from django.urls import path

from alarms import views

app_name = "alarms"

urlpatterns = [
    path("", views.alarm_list_page, name="list"),
]
