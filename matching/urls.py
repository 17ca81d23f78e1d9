from django.urls import path

from matching import views

app_name = "matching"
urlpatterns = [
    path("", views.random_match, name="random"),
    path("requests/<uuid:request_id>/status/", views.random_match_status, name="status"),
    path("cancel/", views.random_match_cancel, name="cancel"),
    path("renew/", views.random_match_renew, name="renew"),
    path("matches/<uuid:match_id>/", views.match_detail, name="match_detail"),
    path("blocks/", views.block_list_page, name="blocks"),
    path("blocks/<uuid:user_id>/delete/", views.block_remove, name="unblock"),
]
