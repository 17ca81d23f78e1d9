"""The my page and the match page (SPEC section 9): profile, scores, match history, reviews."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from matching.models import ActivityMatchScore, Block, MatchMember, MemberReview
from matching.services.blocks import block_create
from matching.services.reviews import match_review_create
from matching.tests.match_helpers import completed_room, random_match
from partner42.choices import ContentCategory

R = ActivityMatchScore
MYPAGE = "/me/"
SCORES = "/me/scores/"
HISTORY = "/me/history/"
BLOCKS = "/me/blocks/"


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    # A page asked for in English leaves English active in this thread for the next tests.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reviews_open(settings):
    settings.REVIEW_DELAY_MINUTES = 0


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def _detail(match) -> str:
    return reverse("mypage:match_detail", args=[match.api_id])


def _review_url(match) -> str:
    return reverse("mypage:match_review", args=[match.api_id])


# --- Profile ------------------------------------------------------------------------------------


def test_it_shows_the_profile_and_the_scores(alice_client, alice, bob):
    random_match(alice, bob, category=ContentCategory.MEAL)
    completed_room(alice, bob, category=ContentCategory.STUDY)

    response = alice_client.get(MYPAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="alice"' in page
    assert f'value="{alice.email}"' in page
    page = alice_client.get(SCORES).content.decode()
    assert 'data-score="MEAL">10<' in page
    assert 'data-score="STUDY">42<' in page
    assert 'data-score="TOTAL">52<' in page


def test_it_needs_a_login(client, db):
    response = client.get(MYPAGE)

    assert response.status_code == 302
    assert "login" in response["Location"] or response["Location"].startswith("/?")


def test_it_changes_the_nickname(alice_client, alice):
    response = alice_client.post(reverse("mypage:nickname"), {"nickname": "앨리스"})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.nickname == "앨리스"


@pytest.mark.parametrize("nickname", ["a", "x" * 21, "", "BOB"])
def test_it_refuses_a_bad_or_taken_nickname(alice_client, alice, bob, nickname):
    response = alice_client.post(reverse("mypage:nickname"), {"nickname": nickname})

    assert response.status_code == 400
    assert 'class="form-error"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.nickname == "alice"
    # The header still shows the stored nickname, not the refused one.
    assert response.context["user"].nickname == "alice"


def test_it_asks_to_change_the_email(alice_client, alice):
    # The change waits for its confirmation link (accounts/tests/test_email_change.py).
    response = alice_client.post(reverse("mypage:email"), {"email": "alice@example.com"})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@student.42seoul.kr"
    assert alice.pending_email == "alice@example.com"


@pytest.mark.parametrize("email", ["not-an-email", "", "BOB@student.42seoul.kr"])
def test_it_refuses_a_bad_or_taken_email(alice_client, alice, bob, email):
    response = alice_client.post(reverse("mypage:email"), {"email": email})

    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.email == "alice@student.42seoul.kr"


def test_it_refuses_profile_changes_by_get(alice_client):
    assert alice_client.get(reverse("mypage:nickname")).status_code == 405


# --- Match history ------------------------------------------------------------------------------


def test_it_lists_matches_newest_first_with_review_forms(alice_client, alice, bob, charlie):
    older = random_match(alice, bob)
    newer = random_match(alice, charlie)
    random_match(bob, charlie)

    page = alice_client.get(HISTORY).content.decode()

    assert page.index(_detail(newer)) < page.index(_detail(older))
    assert page.count('class="review-form"') == 2
    assert _review_url(newer) in page


def test_it_shows_reviewed_matches_without_a_form(alice_client, alice, bob):
    match = random_match(alice, bob)
    match_review_create(match=match, reviewer=alice, scores=[(bob, R.MATCH_REVIEW_5)])

    page = alice_client.get(HISTORY).content.decode()

    assert 'class="review-form"' not in page
    assert "리뷰 완료" in page


def test_it_says_when_reviews_open(alice_client, alice, bob, settings):
    settings.REVIEW_DELAY_MINUTES = 30
    random_match(alice, bob)

    page = alice_client.get(HISTORY).content.decode()

    assert 'class="review-form"' not in page
    assert "리뷰를 남길 수 있어요" in page


def test_it_pages_the_history(alice_client, alice, bob):
    matches = [random_match(alice, bob) for _ in range(12)]

    first = alice_client.get(HISTORY).content.decode()
    second = alice_client.get(HISTORY, {"page": 1}).content.decode()

    assert _detail(matches[-1]) in first
    assert _detail(matches[1]) not in first
    assert _detail(matches[1]) in second
    assert 'rel="next"' in first
    assert 'rel="next"' not in second


@pytest.mark.parametrize("page", ["nope", "-3", "99999999999999999999999"])
def test_it_ignores_a_bad_page_number(alice_client, page):
    assert alice_client.get(HISTORY, {"page": page}).status_code == 200
    assert alice_client.get(reverse("mypage:activities"), {"page": page}).status_code == 200


def test_it_renders_the_history_in_constant_queries(
    alice_client, alice, bob, charlie, django_assert_num_queries
):
    random_match(alice, bob)
    alice_client.get(HISTORY)  # warm the session and the bell's caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        alice_client.get(HISTORY)
    for _ in range(4):
        random_match(alice, bob)
        completed_room(alice, bob, charlie, anonymity=True)
    with CaptureQueriesContext(connection) as many:
        response = alice_client.get(HISTORY)

    assert response.content.decode().count('class="card match-history__item"') == 9
    assert len(many) == len(few)


# --- Match page and reviews ---------------------------------------------------------------------


def test_it_shows_a_match_with_its_members(alice_client, alice, bob):
    match = random_match(alice, bob)

    response = alice_client.get(_detail(match))

    assert response.status_code == 200
    page = response.content.decode()
    assert "alice" in page
    assert "bob" in page
    assert 'class="review-form"' in page


def test_it_hides_an_anonymous_author_on_the_match_page(client, alice, bob):
    _room, match = completed_room(alice, bob, anonymity=True)
    client.force_login(bob)

    page = client.get(_detail(match)).content.decode()

    assert "익명" in page
    assert ">alice" not in page
    assert str(alice.api_id) not in page  # not even in a block form


def test_it_shows_the_author_to_themself(alice_client, alice, bob):
    _room, match = completed_room(alice, bob, anonymity=True)

    page = alice_client.get(_detail(match)).content.decode()

    assert "alice" in page


def test_it_refuses_the_match_page_to_outsiders(client, alice, bob, charlie):
    match = random_match(alice, bob)
    client.force_login(charlie)

    assert client.get(_detail(match)).status_code == 403


def test_it_answers_404_for_an_unknown_match_page(alice_client):
    url = reverse("mypage:match_detail", args=["00000000-0000-0000-0000-000000000000"])

    assert alice_client.get(url).status_code == 404


def test_it_takes_a_review_from_the_form(alice_client, alice, bob, charlie):
    match = random_match(alice, bob, charlie)

    response = alice_client.post(
        _review_url(match), {"score_0": R.MATCH_REVIEW_4, "score_1": R.MATCH_ABSENT, "next": MYPAGE}
    )

    assert response.status_code == 302
    assert response["Location"] == MYPAGE
    reviews = {(r.target_id, r.score_kind) for r in MemberReview.objects.filter(reviewer=alice)}
    assert reviews == {(bob.pk, R.MATCH_REVIEW_4), (charlie.pk, R.MATCH_ABSENT)}


def test_it_reviews_the_hidden_author_through_the_form(client, alice, bob):
    _room, match = completed_room(alice, bob, anonymity=True)
    client.force_login(bob)

    client.post(_review_url(match), {"score_0": R.MATCH_REVIEW_5})

    assert MemberReview.objects.get(reviewer=bob).target_id == alice.pk


def test_it_shows_the_form_again_when_a_score_is_missing(alice_client, alice, bob, charlie):
    match = random_match(alice, bob, charlie)

    response = alice_client.post(_review_url(match), {"score_0": R.MATCH_REVIEW_4})

    assert response.status_code == 400
    assert "점수를 골라 주세요" in response.content.decode()
    assert not MemberReview.objects.exists()


def test_it_reports_a_second_review_in_a_banner(alice_client, alice, bob):
    match = random_match(alice, bob)
    alice_client.post(_review_url(match), {"score_0": R.MATCH_REVIEW_4})

    response = alice_client.post(_review_url(match), {"score_0": R.MATCH_REVIEW_1}, follow=True)

    assert "이미 리뷰를 작성한 매칭입니다." in response.content.decode()
    assert MemberReview.objects.get().score_kind == R.MATCH_REVIEW_4


def test_it_refuses_a_review_from_outsiders(client, alice, bob):
    match = random_match(alice, bob)
    outsider = UserFactory(username="outsider")
    client.force_login(outsider)

    response = client.post(_review_url(match), {})

    assert response.status_code == 403
    assert not MatchMember.objects.filter(is_reviewed=True).exists()


def test_it_ignores_an_offsite_next(alice_client, alice, bob):
    match = random_match(alice, bob)

    response = alice_client.post(
        _review_url(match), {"score_0": R.MATCH_REVIEW_4, "next": "https://evil.example/"}
    )

    assert response["Location"] == _detail(match)


# --- Activity history ---------------------------------------------------------------------------


def test_it_pages_the_activity_history(alice_client, alice, bob):
    for _ in range(25):
        random_match(alice, bob)

    first = alice_client.get(reverse("mypage:activities"))
    second = alice_client.get(reverse("mypage:activities"), {"page": 1})

    assert first.content.decode().count("<tr>") == 1 + 20
    assert second.content.decode().count("<tr>") == 1 + 5
    assert 'data-score="TOTAL">250<' in first.content.decode()


# --- Blocks -------------------------------------------------------------------------------------


def test_it_blocks_and_unblocks_from_the_match_page(alice_client, alice, bob):
    match = random_match(alice, bob)
    back = _detail(match)

    alice_client.post(reverse("matching:blocks"), {"user_id": bob.api_id, "next": back})
    page = alice_client.get(back).content.decode()
    assert reverse("matching:unblock", args=[bob.api_id]) in page

    alice_client.post(reverse("matching:unblock", args=[bob.api_id]), {"next": back})
    assert not Block.objects.exists()


def test_it_lists_my_blocks_on_the_my_page(alice_client, alice, bob):
    block_create(blocker=alice, blocked=bob)

    page = alice_client.get(BLOCKS).content.decode()

    assert reverse("matching:unblock", args=[bob.api_id]) in page


def test_it_speaks_english_too(alice_client, alice, bob):
    random_match(alice, bob)

    page = alice_client.get(HISTORY, headers={"accept-language": "en"}).content.decode()

    assert "My page" in page
    assert "Match history" in page
    assert "Leave a review" in page


def test_it_is_linked_from_every_pages_header(alice_client):
    page = alice_client.get(reverse("accounts:choose")).content.decode()

    assert f'class="user-nav__name" href="{MYPAGE}"' in page


def test_it_translates_a_hidden_author_on_pages(client, alice, bob):
    _room, match = completed_room(alice, bob, anonymity=True)
    client.force_login(bob)

    page = client.get(_detail(match), headers={"accept-language": "en"}).content.decode()

    assert "Anonymous" in page
    assert "alice" not in page


# --- Sections (issue 13 item 6) -----------------------------------------------------------------


def test_it_splits_the_my_page_into_sections_reachable_without_javascript(alice_client, alice, bob):
    random_match(alice, bob)
    block_create(blocker=alice, blocked=bob)

    profile = alice_client.get(MYPAGE).content.decode()
    for url in (MYPAGE, SCORES, HISTORY, BLOCKS):
        assert f'href="{url}"' in profile  # the tabs are plain links
    assert 'aria-current="page">프로필<' in profile
    assert 'class="card match-history__item"' not in profile  # not one long column
    assert "data-score=" not in profile
    assert reverse("matching:unblock", args=[bob.api_id]) not in profile

    history = alice_client.get(HISTORY).content.decode()
    assert 'aria-current="page">매칭 기록<' in history
    assert 'class="card match-history__item"' in history
    assert 'value="alice"' not in history

    assert "data-score=" in alice_client.get(SCORES).content.decode()
    assert alice_client.get("/me/nothing/").status_code == 404
