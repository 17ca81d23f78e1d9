"""Server-rendered pages: the board, the room, its forms. Every form works without JavaScript;
htmx only adds infinite scroll to the board."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import user_is_author_or_operator, user_is_operator
from partner42.choices import CATEGORY_CONDITION_KINDS, ContentCategory
from partner42.errors import ApplicationError, ErrorCode, NotFoundError
from partner42.navigation import draft_discard, draft_load, draft_page_context
from partner42.pagination import DEFAULT_SIZE, SliceParams
from partner42.throttling import COMMENT, PARTICIPATION, ROOM_CREATE, throttle_page
from rooms import selectors, services
from rooms.forms import CONDITION_FIELDS, BoardFilterForm, CommentForm, RoomForm, apply_error
from rooms.models import Room

# Pages let NotFoundError and ForbiddenError rise: ApplicationErrorMiddleware answers the 404 or
# 403 page. Other domain errors of an action show as a message on the page it came from.


def _room_or_404(request: HttpRequest, room_id) -> Room:
    return selectors.room_get(api_id=room_id, viewer=request.user)


def _comment_or_404(request: HttpRequest, comment_id):
    return selectors.comment_get(api_id=comment_id, viewer=request.user)


def _detail_url(room: Room) -> str:
    return reverse("rooms:detail", args=[room.api_id])


# --- board --------------------------------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    form = BoardFilterForm(request.GET)
    category = form.value("category", ContentCategory.MEAL)
    status = form.value("status", "open")
    anonymity = form.value("anonymity", "")
    sort = form.value("sort", "date")
    page = form.value("page", 0)
    size = form.value("size", DEFAULT_SIZE)
    conditions = {
        kind: tuple(form.value(CONDITION_FIELDS[kind][0], []))
        for kind in CATEGORY_CONDITION_KINDS[category]
    }
    filters = selectors.BoardFilters(
        category=category,
        is_complete={"open": False, "complete": True}.get(status),
        anonymity={"yes": True, "no": False}.get(anonymity),
        conditions={kind: values for kind, values in conditions.items() if values},
    )
    if sort == "date":
        order = selectors.board_default_order(is_complete=filters.is_complete)
    else:
        order = ["-created_at"]
    tiebreak = "-pk" if order[0].startswith("-") else "pk"
    params = SliceParams(page=page, size=size, order_by=[*order, tiebreak])
    items, has_next = selectors.room_board(filters=filters, params=params)
    today = services.room_today()
    rooms = [_with_labels(selectors.board_item_for(item, request.user, today)) for item in items]

    query = {"category": category, "status": status, "anonymity": anonymity, "sort": sort}
    if size != DEFAULT_SIZE:
        query["size"] = size
    query_list: list[tuple[str, Any]] = list(query.items())
    for kind, values in conditions.items():
        query_list += [(CONDITION_FIELDS[kind][0], value) for value in values]
    context = {
        "form": form,
        "category": category,
        "categories": ContentCategory,
        "status": status,
        "anonymity": anonymity,
        "sort": sort,
        "condition_fields": [
            form[CONDITION_FIELDS[kind][0]] for kind in CATEGORY_CONDITION_KINDS[category]
        ],
        "rooms": rooms,
        "page": page,
        "next_url": f"?{urlencode([*query_list, ('page', page + 1)])}" if has_next else None,
    }
    if request.htmx and page > 0:
        response = render(request, "rooms/_board_items.html", context)
    else:
        response = render(request, "rooms/board.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def my_rooms(request: HttpRequest) -> HttpResponse:
    """The open rooms I wrote or joined."""
    today = services.room_today()
    rooms = [
        _with_labels(selectors.board_item_for(item, request.user, today))
        for item in selectors.room_list_mine(user=request.user)
    ]
    return render(request, "rooms/mine.html", {"rooms": rooms})


def _with_labels(item: dict[str, Any]) -> dict[str, Any]:
    item["condition_labels"] = [
        CONDITION_FIELDS[kind][2](value).label
        for kind in CATEGORY_CONDITION_KINDS[item["category"]]
        for value in item["conditions"].get(kind, [])
    ]
    return item


# --- create and edit ----------------------------------------------------------------------------


def _room_form_key(room: Room | None, category: str) -> str:
    return f"room:{room.api_id}" if room is not None else f"room:new:{category}"


def _room_form_page(
    request: HttpRequest, form: RoomForm, room: Room | None, category: str, status: int
) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "category": category,
        "categories": ContentCategory,
        "room": room,
    }
    if request.method == "POST":
        # A refused form is kept as a draft: the language switch comes back to the form's GET
        # page with it (`?draft=`), not to an empty form.
        page = (
            reverse("rooms:edit", args=[room.api_id])
            if room is not None
            else f"{reverse('rooms:create')}?{urlencode({'category': category})}"
        )
        context.update(
            draft_page_context(
                request, form=_room_form_key(room, category), bound_form=form, page=page
            )
        )
    return render(request, "rooms/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@throttle_page(ROOM_CREATE)
def room_create(request: HttpRequest) -> HttpResponse:
    category = (request.POST.get("category") or request.GET.get("category") or "").upper()
    if category not in ContentCategory.values:
        return render(request, "rooms/choose_category.html", {"categories": ContentCategory})
    if request.method == "POST":
        form = RoomForm(request.POST, category=category)
        if form.is_valid():
            try:
                room = services.room_create(
                    author=request.user, category=category, **form.service_kwargs()
                )
            except ApplicationError as error:
                apply_error(form, error)
            else:
                draft_discard(request, form=_room_form_key(None, category))
                messages.success(request, _("방을 만들었어요."))
                return redirect(_detail_url(room))
        return _room_form_page(request, form, None, category, status=400)
    draft = draft_load(request, form=_room_form_key(None, category))
    form = draft.bind(RoomForm, category=category) if draft else RoomForm(category=category)
    return _room_form_page(request, form, None, category, status=200)


@login_required
@require_http_methods(["GET", "POST"])
def room_edit(request: HttpRequest, room_id) -> HttpResponse:
    room = _room_or_404(request, room_id)
    if not user_is_author_or_operator(request.user, author_pk=room.author_id):
        messages.error(request, ErrorCode.NOT_ARTICLE_AUTHOR.message)
        return redirect(_detail_url(room))
    key = _room_form_key(room, room.category)
    if request.method == "POST":
        form = RoomForm(request.POST, category=room.category)
        if form.is_valid():
            try:
                services.room_update(room=room, user=request.user, **form.service_kwargs())
            except ApplicationError as error:
                apply_error(form, error)
            else:
                draft_discard(request, form=key)
                messages.success(request, _("방을 고쳤어요."))
                return redirect(_detail_url(room))
        return _room_form_page(request, form, room, room.category, status=400)
    draft = draft_load(request, form=key)
    if draft is not None:
        form = draft.bind(RoomForm, category=room.category)
    else:
        initial = RoomForm.initial_for(room, selectors.room_conditions(room))
        form = RoomForm(initial=initial, category=room.category)
    return _room_form_page(request, form, room, room.category, status=200)


# --- detail and actions -------------------------------------------------------------------------


@login_required
@require_GET
def room_detail(request: HttpRequest, room_id) -> HttpResponse:
    room = _room_or_404(request, room_id)
    detail = selectors.room_detail(room=room, viewer=request.user)
    context = {
        "detail": detail,
        "room": room,
        "condition_groups": _condition_groups(detail.conditions, room.category),
        "comments": selectors.comment_tree(room=room, viewer=request.user),
        "comment_form": CommentForm(),
        "is_operator": user_is_operator(request.user),
    }
    return render(request, "rooms/detail.html", context)


def _condition_groups(conditions: dict[str, list[str]], category: str) -> list[dict]:
    groups = []
    for kind in CATEGORY_CONDITION_KINDS[category]:
        _name, label, enum = CONDITION_FIELDS[kind]
        groups.append({"label": label, "values": [enum(v).label for v in conditions.get(kind, [])]})
    return groups


def _act(request: HttpRequest, room_id, action, success: str) -> HttpResponse:
    room = _room_or_404(request, room_id)
    try:
        action(room=room, user=request.user)
    except NotFoundError:
        raise  # the 404 page, not a message
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(_detail_url(room))


def _unconfirmed(request: HttpRequest, room: Room, action: str) -> HttpResponse | None:
    """The confirmation page of an irreversible action, unless the POST says `confirm=1`.

    The room page asks in a dialog (static/js/confirm.js) and sends `confirm=1`; without
    JavaScript the form arrives here unconfirmed and this page asks instead. An action the
    student may not take is not asked about: it goes on to its real error."""
    if request.POST.get("confirm") == "1":
        return None
    detail = selectors.room_detail(room=room, viewer=request.user)
    allowed = {
        "leave": detail.can_leave,
        "complete": detail.can_manage,
        "delete": detail.can_manage,
    }
    if not allowed[action]:
        return None
    question, button = {
        "leave": (_("이 방에서 나갈까요?"), _("참여 취소")),
        "complete": (
            _("지금 참여자들로 매칭을 만들고 방을 마감할까요? 마감한 방은 다시 열 수 없어요."),
            _("마감하고 매칭하기"),
        ),
        "delete": (_("이 방을 삭제할까요? 참여자와 댓글도 더 이상 보이지 않아요."), _("삭제")),
    }[action]
    context = {
        "room": room,
        "question": question,
        "button": button,
        "action_url": reverse(f"rooms:{action}", args=[room.api_id]),
        "page_url": _detail_url(room),
    }
    return render(request, "rooms/confirm.html", context)


@login_required
@require_POST
@throttle_page(PARTICIPATION)
def room_join(request: HttpRequest, room_id) -> HttpResponse:
    return _act(request, room_id, services.room_join, _("참여했어요."))


@login_required
@require_POST
@throttle_page(PARTICIPATION)
def room_leave(request: HttpRequest, room_id) -> HttpResponse:
    room = _room_or_404(request, room_id)
    if (asking := _unconfirmed(request, room, "leave")) is not None:
        return asking
    return _act(request, room_id, services.room_leave, _("참여를 취소했어요."))


@login_required
@require_POST
def room_complete(request: HttpRequest, room_id) -> HttpResponse:
    """Close the room into a match, then show the match (members, and reviews later)."""
    room = _room_or_404(request, room_id)
    if (asking := _unconfirmed(request, room, "complete")) is not None:
        return asking
    try:
        match = services.room_complete(room=room, user=request.user)
    except NotFoundError:
        raise  # the 404 page, not a message
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_detail_url(room))
    messages.success(request, _("방을 마감하고 매칭을 만들었어요."))
    return redirect("mypage:match_detail", match.api_id)


@login_required
@require_POST
def room_restore(request: HttpRequest, room_id) -> HttpResponse:
    return _act(request, room_id, services.room_restore, _("방을 복구했어요."))


@login_required
@require_POST
def room_delete(request: HttpRequest, room_id) -> HttpResponse:
    room = _room_or_404(request, room_id)
    if (asking := _unconfirmed(request, room, "delete")) is not None:
        return asking
    try:
        services.room_delete(room=room, user=request.user)
    except NotFoundError:
        raise  # the 404 page, not a message
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_detail_url(room))
    messages.success(request, _("방을 삭제했어요."))
    if user_is_operator(request.user):
        return redirect(_detail_url(room))  # operators still see it, with a restore button
    return redirect(f"{reverse('rooms:board')}?category={room.category}")


# --- comments -----------------------------------------------------------------------------------


@login_required
@require_POST
@throttle_page(COMMENT)
def comment_create(request: HttpRequest, room_id) -> HttpResponse:
    room = _room_or_404(request, room_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_detail_url(room))
    parent = None
    if form.cleaned_data["parent"]:
        parent = _comment_or_404(request, form.cleaned_data["parent"])
    try:
        services.comment_create(
            room=room, author=request.user, content=form.cleaned_data["content"], parent=parent
        )
    except NotFoundError:
        raise  # the 404 page, not a message
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect(_detail_url(room) + "#comments")


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, comment_id) -> HttpResponse:
    comment = _comment_or_404(request, comment_id)
    if comment.deleted_at is not None:
        raise Http404
    if not user_is_author_or_operator(request.user, author_pk=comment.author_id):
        messages.error(request, ErrorCode.NOT_OPINION_AUTHOR.message)
        return redirect(_detail_url(comment.room) + "#comments")
    form = CommentForm(request.POST or None, initial={"content": comment.content})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(
                comment=comment, user=request.user, content=form.cleaned_data["content"]
            )
        except NotFoundError:
            raise  # the 404 page, not a message
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect(_detail_url(comment.room) + "#comments")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "rooms/comment_edit.html", {"form": form, "comment": comment}, status=status
    )


@login_required
@require_POST
def comment_delete(request: HttpRequest, comment_id) -> HttpResponse:
    comment = _comment_or_404(request, comment_id)
    try:
        services.comment_delete(comment=comment, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("댓글을 삭제했어요."))
    return redirect(_detail_url(comment.room) + "#comments")
