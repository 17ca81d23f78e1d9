"""A test-only URLconf: small DRF views that fail in every way the exception handler knows.

Used with `@pytest.mark.urls("tests.urls_errors")`; the project's own URLs follow, so unknown paths
and the error handlers behave as in production.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import include, path
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts.models import User
from partner42.errors import ApplicationError, ErrorCode
from partner42.pagination import slice_body, slice_params, slice_queryset
from partner42.serializers import RejectUnknownFieldsMixin


class PublicApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class ConditionInput(RejectUnknownFieldsMixin, serializers.Serializer):
    placeList = serializers.ListField(
        child=serializers.ChoiceField(choices=["SEOCHO", "GAEPO", "OUT_OF_CLUSTER"]),
        allow_empty=False,
    )


class MemberInput(serializers.Serializer):
    nickname = serializers.CharField(max_length=20)


class ValidationInput(RejectUnknownFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=10)
    participantNumMax = serializers.IntegerField(min_value=2, required=False)
    anonymity = serializers.BooleanField(required=False)
    email = serializers.EmailField(required=False)
    matchConditionDto = ConditionInput(required=False)
    members = MemberInput(many=True, required=False)

    def validate(self, attrs):
        if attrs.get("title") == "same":
            raise serializers.ValidationError("The title may not be 'same'.")
        return attrs


class ValidationApi(PublicApi):
    def post(self, request):
        serializer = ValidationInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"ok": True})


class ApplicationErrorApi(PublicApi):
    def get(self, request):
        raise ApplicationError(
            ErrorCode.NOT_YOURS, errors=[{"field": "userId", "value": None, "reason": "not you"}]
        )


class Http404Api(PublicApi):
    def get(self, request):
        raise Http404


class DjangoPermissionDeniedApi(PublicApi):
    def get(self, request):
        raise PermissionDenied


class DrfPermissionDeniedApi(PublicApi):
    def get(self, request):
        raise exceptions.PermissionDenied


class ConflictError(exceptions.APIException):
    status_code = 409
    default_detail = "conflict"


class OtherApiExceptionApi(PublicApi):
    def get(self, request):
        raise ConflictError


class CrashApi(PublicApi):
    def get(self, request):
        raise RuntimeError("a bug")


class InvalidTokenApi(PublicApi):
    def get(self, request):
        raise InvalidToken


def crash_page(request):
    raise RuntimeError("a bug in a page")


def denied_page(request):
    raise PermissionDenied


class PrivateApi(APIView):
    """The project's default authentication and permission (JWT, session, IsAuthenticated)."""

    def get(self, request):
        return Response({"ok": True})


class JsonOnlyApi(PublicApi):
    renderer_classes = [JSONRenderer]

    def get(self, request):
        return Response({"ok": True})


class TinyThrottle(SimpleRateThrottle):
    scope = "tests-tiny"
    rate = "1/min"
    cache_key = "tests-urls-errors-tiny-throttle"

    def get_cache_key(self, request, view):
        return self.cache_key


class ThrottledApi(PublicApi):
    throttle_classes = [TinyThrottle]

    def get(self, request):
        return Response({"ok": True})


class UserSliceApi(PublicApi):
    def get(self, request):
        params = slice_params(
            request,
            sort_fields={"nickname": "nickname", "createdAt": "date_joined"},
            default_order=["-date_joined"],
        )
        users, has_next = slice_queryset(User.objects.all(), params)
        return Response(slice_body([u.nickname for u in users], params, has_next))


urlpatterns = [
    path("api/test/validation", ValidationApi.as_view()),
    path("api/test/application-error", ApplicationErrorApi.as_view()),
    path("api/test/http404", Http404Api.as_view()),
    path("api/test/django-permission-denied", DjangoPermissionDeniedApi.as_view()),
    path("api/test/drf-permission-denied", DrfPermissionDeniedApi.as_view()),
    path("api/test/other-api-exception", OtherApiExceptionApi.as_view()),
    path("api/test/crash", CrashApi.as_view()),
    path("api/test/private", PrivateApi.as_view()),
    path("api/test/json-only", JsonOnlyApi.as_view()),
    path("api/test/throttled", ThrottledApi.as_view()),
    path("api/test/users", UserSliceApi.as_view()),
    path("api/test/invalid-token", InvalidTokenApi.as_view()),
    path("test/crash-page", crash_page),
    path("test/denied-page", denied_page),
    path("", include("partner42.urls")),
]

handler400 = "partner42.views.bad_request"
handler403 = "partner42.views.permission_denied"
handler404 = "partner42.views.page_not_found"
handler500 = "partner42.views.server_error"
