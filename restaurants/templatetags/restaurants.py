from django import template

from restaurants.categories import category_label

register = template.Library()


@register.filter
def restaurant_category(value: str) -> str:
    """A stored restaurant category in the page's language."""
    return category_label(value)
