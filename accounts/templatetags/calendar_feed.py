"""`{% calendar_feed_url %}`: the signed-in student's personal feed URL, for the my page's section.

A tag, so that the section is one include line in whichever page shows it.
"""

from django import template
from django.urls import reverse

from accounts.calendar import calendar_feed_get_or_create

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_feed_url(context) -> str:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    feed = calendar_feed_get_or_create(user=request.user)
    return request.build_absolute_uri(reverse("calendar:feed", args=[feed.token]))
