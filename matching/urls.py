from django.urls import path

from matching.views import blocks, matches, random, suggestions

app_name = "matching"
urlpatterns = [
    path("", random.random_match, name="random"),
    path("requests/<uuid:request_id>/status/", random.random_match_status, name="status"),
    path("cancel/", random.random_match_cancel, name="cancel"),
    path("renew/", random.random_match_renew, name="renew"),
    path("matches/<uuid:match_id>/", matches.random_match_detail, name="match_detail"),
    path(
        "matches/<uuid:match_id>/restaurant/",
        suggestions.match_restaurant_pin_page,
        name="match_restaurant_pin",
    ),
    path("blocks/", blocks.block_list_page, name="blocks"),
    path("blocks/<uuid:user_id>/delete/", blocks.block_remove, name="unblock"),
]
