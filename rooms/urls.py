from django.urls import path

from rooms import views

app_name = "rooms"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.room_create, name="create"),
    path("mine/", views.my_rooms, name="mine"),
    path("<uuid:room_id>/", views.room_detail, name="detail"),
    path("<uuid:room_id>/edit/", views.room_edit, name="edit"),
    path("<uuid:room_id>/join/", views.room_join, name="join"),
    path("<uuid:room_id>/leave/", views.room_leave, name="leave"),
    path("<uuid:room_id>/delete/", views.room_delete, name="delete"),
    path("<uuid:room_id>/complete/", views.room_complete, name="complete"),
    path("<uuid:room_id>/restore/", views.room_restore, name="restore"),
    path("<uuid:room_id>/comments/", views.comment_create, name="comment-create"),
    path("comments/<uuid:comment_id>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<uuid:comment_id>/delete/", views.comment_delete, name="comment-delete"),
]
