from django.urls import path

from restaurants.api import views

app_name = "restaurants_api"
urlpatterns = [
    path("restaurants", views.RestaurantListApi.as_view(), name="list"),
    path("restaurants/pick", views.RestaurantPickApi.as_view(), name="pick"),
    path("restaurants/<str:restaurant_id>", views.RestaurantDetailApi.as_view(), name="detail"),
]
