from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.login_page, name="login"),
    path("choose/", views.choose, name="choose"),
    path("logout/", views.logout_view, name="logout"),
    path("demo-login/", views.demo_login, name="demo_login"),
]
