"""`{% page_url %}` and `{% language_next %}`: where forms and the language switch send the
student back to, never a POST-only URL (see partner42.navigation)."""

from django import template

from partner42.navigation import current_page

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context) -> str:
    """The GET page this response stands for: a form's `next`."""
    if context.get("page_url"):
        return context["page_url"]
    request = context.get("request")
    return current_page(request) if request is not None else "/"


@register.simple_tag(takes_context=True)
def language_next(context) -> str:
    """Where the language switch returns: this GET page, with the draft of a refused form."""
    if context.get("language_next"):
        return context["language_next"]
    request = context.get("request")
    if request is not None and request.method in ("GET", "HEAD"):
        return request.get_full_path()  # keeps ?draft= of a draft being shown
    return page_url(context)
