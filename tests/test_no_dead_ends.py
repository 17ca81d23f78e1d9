"""No dead ends: after a form error every way on (the form's `next`, the language switch) leads
to a page that answers GET, and the language switch keeps the draft."""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from matching.models import ActivityMatchScore, MemberReview
from matching.tests.match_helpers import random_match
from partner42.navigation import answers_get, current_page, safe_next, view_allows_get
from rooms import services
from rooms.tests.factories import RoomFactory
from tests.html_checks import next_values

pytestmark = pytest.mark.django_db
R = ActivityMatchScore


@pytest.fixture(autouse=True)
def _korean_again():
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reviews_open(settings):
    settings.REVIEW_DELAY_MINUTES = 0


def _error_pages(client, alice, bob):
    """Form errors of every POST-only page (and the room forms), as the student meets them."""
    match = random_match(alice, bob)
    review = reverse("mypage:match_review", args=[match.api_id])
    room = RoomFactory(author=alice)
    return {
        # The page's review form used to carry its own POST URL as `next` after an error.
        "review": client.post(review, {"next": review}),
        "review from my page": client.post(review, {"next": "/me/?page=0"}),
        "nickname": client.post(reverse("mypage:nickname"), {"nickname": "a"}),
        "email": client.post(reverse("mypage:email"), {"email": "nope"}),
        "room create": client.post(
            reverse("rooms:create"), {"category": "MEAL", "title": "초안 제목", "date": "soon"}
        ),
        "room edit": client.post(
            reverse("rooms:edit", args=[room.api_id]), {"title": "초안 제목", "date": "soon"}
        ),
    }


def test_it_sends_every_form_on_an_error_page_back_to_a_page_that_answers_get(client, alice, bob):
    client.force_login(alice)

    for name, response in _error_pages(client, alice, bob).items():
        assert response.status_code == 400, name
        targets = next_values(response.content.decode())
        assert targets, name  # at least the language switch
        for target in targets:
            assert client.get(target).status_code == 200, (name, target)


def test_it_saves_a_corrected_review_and_lands_on_a_page(client, alice, bob):
    client.force_login(alice)
    match = random_match(alice, bob)
    review = reverse("mypage:match_review", args=[match.api_id])

    refused = client.post(review, {"next": review})
    form_next = next_values(refused.content.decode())[0]
    saved = client.post(review, {"score_0": R.MATCH_REVIEW_4, "next": form_next})

    assert MemberReview.objects.filter(reviewer=alice).count() == 1
    assert saved.status_code == 302
    assert client.get(saved["Location"]).status_code == 200


def test_it_never_redirects_to_a_post_only_next(client, alice, bob):
    client.force_login(alice)
    match = random_match(alice, bob)
    review = reverse("mypage:match_review", args=[match.api_id])

    saved = client.post(review, {"score_0": R.MATCH_REVIEW_4, "next": review})

    assert saved["Location"] == reverse("mypage:match_detail", args=[match.api_id])


@pytest.mark.parametrize(
    ("page", "draft"),
    [
        ("nickname", 'value="a"'),
        ("email", 'value="nope"'),
        ("room create", "초안 제목"),
        ("room edit", "초안 제목"),
    ],
)
def test_it_switches_language_from_an_error_page_to_a_get_page_with_the_draft(
    client, alice, bob, page, draft
):
    client.force_login(alice)
    response = _error_pages(client, alice, bob)[page]
    switch_next = next_values(response.content.decode())[-1]  # the footer's language switch

    switched = client.post(
        reverse("set_language"), {"language": "en", "next": switch_next}, follow=True
    )

    assert switched.status_code == 200
    final = switched.redirect_chain[-1][0]
    assert answers_get(final), final
    html = switched.content.decode()
    assert '<html lang="en"' in html or 'lang="en"' in html
    assert draft in html
    assert 'class="form-error"' in html  # the errors come along, in English


def test_it_switches_language_from_a_review_error_to_the_draft_review(client, alice, bob):
    client.force_login(alice)
    match = random_match(alice, bob)
    review = reverse("mypage:match_review", args=[match.api_id])
    refused = client.post(review, {"next": "/me/history/"})
    switch_next = next_values(refused.content.decode())[-1]

    switched = client.post(
        reverse("set_language"), {"language": "en", "next": switch_next}, follow=True
    )

    assert switched.status_code == 200
    assert switched.redirect_chain[-1][0].startswith("/me/history/")
    assert 'class="form-error"' in switched.content.decode()


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


POST_ONLY = {
    "rooms:join",
    "rooms:leave",
    "rooms:delete",
    "rooms:complete",
    "rooms:restore",
    "rooms:comment-create",
    "rooms:comment-delete",
    "mypage:nickname",
    "mypage:email",
    "mypage:match_review",
    "matching:cancel",
    "matching:unblock",
}


def test_it_knows_which_pages_answer_get(alice):
    patterns = dict(_named_patterns())
    for name in POST_ONLY:
        assert name in patterns, name
        assert not view_allows_get(patterns[name].callback), name
    for name in ("rooms:board", "rooms:create", "rooms:edit", "mypage:index", "matching:blocks"):
        assert view_allows_get(patterns[name].callback), name


def test_it_refuses_a_post_only_or_offsite_next(rf):
    room = RoomFactory(date=services.room_today() + timedelta(days=1))
    request = rf.post("/")
    join = reverse("rooms:join", args=[room.api_id])
    detail = reverse("rooms:detail", args=[room.api_id])

    assert safe_next(request, join, "/fallback/") == "/fallback/"
    assert safe_next(request, "https://evil.example/", "/fallback/") == "/fallback/"
    assert safe_next(request, "/nowhere/at/all/", "/fallback/") == "/fallback/"
    assert safe_next(request, detail, "/fallback/") == detail


def test_it_comes_back_from_a_post_only_page_to_the_page_it_came_from(rf):
    room = RoomFactory(date=services.room_today() + timedelta(days=1))
    detail = reverse("rooms:detail", args=[room.api_id])
    join = reverse("rooms:join", args=[room.api_id])

    assert current_page(rf.post(join, HTTP_REFERER=f"http://testserver{detail}")) == (
        f"http://testserver{detail}"
    )
    assert current_page(rf.post(join, {"next": detail})) == detail
    assert current_page(rf.post(join, HTTP_REFERER=f"http://testserver{join}")) == "/"
    assert current_page(rf.post(detail.replace(str(room.api_id), "x") + "?a=1")) == "/"
    edit = reverse("rooms:edit", args=[room.api_id])
    assert current_page(rf.post(f"{edit}?draft=abc")) == edit
