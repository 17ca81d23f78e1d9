from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from restaurants.forms import WALK_MINUTE_CHOICES, RecommendationForm
from restaurants.geo import campus_list
from restaurants.selectors import (
    restaurant_category_list,
    restaurant_pick,
    restaurant_recommendation_list,
)

PAGE_SIZE = 20


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _context(request: HttpRequest, form: RecommendationForm) -> dict:
    """The list page's context; with invalid filters, the errors and no results."""
    context = {
        "form": form,
        "campuses": campus_list(),
        "walk_choices": WALK_MINUTE_CHOICES,
        "cards": [],
        "has_next": False,
        "page": 1,
    }
    if not form.is_valid():
        return context
    query = form.recommendation_query()
    page = _page_number(request)
    cards, has_next = restaurant_recommendation_list(
        query=query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    context.update(
        query=query,
        campus=next((c for c in context["campuses"] if c.key == query.campus), None),
        categories=restaurant_category_list(campus=query.campus),
        cards=cards,
        has_next=has_next,
        page=page,
        first_rank=(page - 1) * PAGE_SIZE + 1,
    )
    return context


@require_GET
def restaurant_list(request: HttpRequest) -> HttpResponse:
    form = RecommendationForm(request.GET)
    context = _context(request, form)
    template = "restaurants/list.html"
    if request.htmx and request.htmx.target == "results":
        template = "restaurants/_results.html"
    return render(request, template, context, status=_status(form))


@require_GET
def restaurant_pick_page(request: HttpRequest) -> HttpResponse:
    """'Pick one for me': the list page with a random pick on top (or just the pick, for htmx)."""
    form = RecommendationForm(request.GET)
    if request.htmx and request.htmx.target == "pick":
        pick = restaurant_pick(query=form.recommendation_query()) if form.is_valid() else None
        context = {"form": form, "pick": pick, "picked": True}
        return render(request, "restaurants/_pick.html", context, status=_status(form))
    context = _context(request, form)
    if form.is_valid():
        context.update(pick=restaurant_pick(query=form.recommendation_query()), picked=True)
    return render(request, "restaurants/list.html", context, status=_status(form))


def _status(form: RecommendationForm) -> int:
    return 200 if form.is_valid() else 400
