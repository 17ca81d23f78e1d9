from django.urls import include, path

from partner42.errors import ErrorCode, NotFoundError


def raise_not_found(request):
    raise NotFoundError


def raise_forbidden(request):
    from partner42.errors import ApplicationError

    raise ApplicationError(ErrorCode.NOT_ARTICLE_AUTHOR)


urlpatterns = [
    path("api/plain/missing", raise_not_found),
    path("page/forbidden", raise_forbidden),
    path("", include("accounts.urls")),
]
