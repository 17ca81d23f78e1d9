from django.urls import include, path

from partner42.errors import ErrorCode, NotFoundError


def raise_not_found(request):
    raise NotFoundError


def raise_forbidden(request):
    from partner42.errors import ApplicationError

    raise ApplicationError(ErrorCode.NOT_ARTICLE_AUTHOR)


def raise_not_a_member(request):
    from partner42.errors import ForbiddenError

    raise ForbiddenError(ErrorCode.NOT_MATCH_MEMBER)


urlpatterns = [
    path("api/plain/missing", raise_not_found),
    path("page/missing", raise_not_found),
    path("page/not-a-member", raise_not_a_member),
    path("page/forbidden", raise_forbidden),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
]
