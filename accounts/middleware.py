"""A logged-in student's language preference wins over the cookie and the browser's headers.

Runs after `LocaleMiddleware` (which chose from the language cookie or Accept-Language) and
`AuthenticationMiddleware`; a student with no preference ("") keeps that choice. Only requests
that carry a session cookie look at the user, so a visitor's or a bearer-token request costs
no query here. The response's `Content-Language` and `Vary` come from `LocaleMiddleware` as
before, in the language activated here.
"""

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._preferred(request)
        if language and language != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

    @staticmethod
    def _preferred(request) -> str:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return ""
        user = getattr(request, "user", None)
        try:
            if user is None or not user.is_authenticated:
                return ""
        except DatabaseError:
            # The session or the user could not be read (the database dropped the connection):
            # the view meets the same error where it is answered (503), not here.
            return ""
        language = getattr(user, "language", "") or ""
        return language if language in dict(settings.LANGUAGES) else ""
