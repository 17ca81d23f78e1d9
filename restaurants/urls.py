from django.urls import path

from restaurants import views

app_name = "restaurants"
urlpatterns = [
    path("", views.restaurant_list, name="list"),
    path("pick/", views.restaurant_pick_page, name="pick"),
]
