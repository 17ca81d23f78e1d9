from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")
    # What this app gives the my page (accounts.mypage), by dotted path: accounts never imports
    # matching. Sections: `(request) -> context` shown at `/me/<name>/`.
    mypage_sections = {
        "scores": "matching.views.matches.mypage_scores",
        "history": "matching.views.matches.mypage_history",
        "blocks": "matching.views.blocks.mypage_blocks",
    }
    # Pages in the `mypage` URL namespace: (route, view, URL name).
    mypage_pages = (
        ("me/activities/", "matching.views.matches.activity_history_page", "activities"),
        ("matches/<uuid:match_id>/", "matching.views.matches.match_detail", "match_detail"),
        ("matches/<uuid:match_id>/review/", "matching.views.matches.match_review", "match_review"),
        (
            "matches/<uuid:match_id>/meeting/",
            "matching.views.meetings.match_meeting",
            "match_meeting",
        ),
    )
    # What this app answers on Slack (alarms.slackapp.registry): `/42partner <word>` and the
    # buttons of the match notice, by dotted path (alarms never imports matching).
    slack_commands = {
        **dict.fromkeys(("meal", "식사", "밥"), "matching.views.slack.command_meal"),
        **dict.fromkeys(("study", "공부"), "matching.views.slack.command_study"),
        **dict.fromkeys(("cancel", "취소"), "matching.views.slack.command_cancel"),
    }
    slack_actions = {
        "meeting_met_yes": "matching.views.slack.meeting_met_yes",
        "meeting_met_no": "matching.views.slack.meeting_met_no",
        # `pin_restaurant:<n>`: one button per suggestion, value = the restaurant's api id
        "pin_restaurant": "matching.views.slack.pin_restaurant",
    }
