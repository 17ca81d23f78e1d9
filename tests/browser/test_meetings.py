""" "Did you meet?": the question on the match page (phone, without JavaScript too), the alarms it
leads to, and the paused random page with its end date (desktop)."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from matching.models import Match, MeetingReport, RandomMatchPause
from matching.services.meetings import meeting_report_submit
from matching.tests.match_helpers import random_match
from tests.browser import pages


def _met_hours_ago(*users, hours: float = 4) -> Match:
    def make() -> Match:
        match = random_match(*users)
        Match.objects.filter(pk=match.pk).update(created_at=timezone.now() - timedelta(hours=hours))
        return Match.objects.get(pk=match.pk)

    return pages.outside_the_browser_loop(make)


def test_a_member_says_who_did_not_come_on_a_phone(student, alice, bob):
    match = _met_hours_ago(alice, bob)
    page = student(alice)  # 390 px wide
    pages.goto(page, f"/random/matches/{match.api_id}/")

    question = page.get_by_role("region", name="만남은 어땠나요?")
    expect(question).to_be_visible()
    question.get_by_role("group", name="약속한 만남이 있었나요?").get_by_label(
        "아니요, 못 만났어요"
    ).check()
    question.get_by_role(
        "group", name="오지 않은 사람이 있었나요? (있다면 골라 주세요)"
    ).get_by_label("bob").check()
    # With JavaScript the section is swapped in place (htmx), with the message: no new page.
    here = page.url
    question.get_by_role("button", name="알려 주기").click()
    expect(page.get_by_role("region", name="만남은 어땠나요?")).to_contain_text(
        "못 만났다고 알려 주셨어요. 고마워요!"
    )
    expect(page.get_by_role("status").filter(has_text="알려 주셔서 고마워요!")).to_be_visible()
    assert page.url == here
    pages.check(page)
    assert MeetingReport.objects.get(match=match, reporter=alice).met is False

    # bob learns it from his alarms, which lead to the match page.
    bob_page = student(bob)
    pages.goto(bob_page, "/alarms/")
    notice = bob_page.get_by_role("link", name="매칭에 나오지 않았다고 알려졌어요.")
    pages.click_and_check(bob_page, notice)
    expect(bob_page.get_by_role("heading", level=1)).to_have_text("랜덤 매칭 · 식사")


def test_the_question_works_without_javascript(student, alice, bob):
    match = _met_hours_ago(alice, bob)
    page = student(bob, java_script_enabled=False)
    pages.goto(page, f"/matches/{match.api_id}/")
    question = page.get_by_role("region", name="만남은 어땠나요?")
    question.get_by_label("네, 만났어요").check()
    pages.click_and_check(page, question.get_by_role("button", name="알려 주기"))
    expect(page.get_by_role("region", name="만남은 어땠나요?")).to_contain_text(
        "만났다고 알려 주셨어요. 고마워요!"
    )


def test_the_paused_random_page_says_until_when_on_a_desktop(student, alice, bob, charlie):
    def pause_bob():
        later = timezone.now() + timedelta(hours=2)
        for partner in (alice, charlie, alice):
            match = random_match(partner, bob)
            meeting_report_submit(match=match, reporter=partner, met=False, absent=[bob], now=later)
        return RandomMatchPause.objects.get(user=bob)

    pause = pages.outside_the_browser_loop(pause_bob)
    until = timezone.localtime(pause.until).strftime("%Y-%m-%d %H:%M")
    for viewport in (pages.DESKTOP, pages.PHONE):
        page = student(bob, viewport=viewport)
        pages.goto(page, "/random/?category=MEAL")
        notice = page.locator("[data-pause=on]")
        expect(notice).to_contain_text(f"랜덤 매칭이 {until}까지 멈췄어요.")
        expect(notice).to_contain_text("운영진에게 문의해 주세요")
        expect(page.get_by_role("button", name="매칭 신청")).to_have_count(0)

    pages.goto(page, "/alarms/")
    expect(
        page.get_by_text("불참이 세 번 이어져 랜덤 매칭이 일주일 동안 멈췄어요.")
    ).to_be_visible()
