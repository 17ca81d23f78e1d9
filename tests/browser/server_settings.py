"""Settings of the daphne server the browser tests drive: the test settings, served over plain
HTTP on 127.0.0.1.

Three differences from production, all about serving without TLS or collectstatic, none about
behaviour: static files come from the finders (no `collectstatic` run), the session and CSRF
cookies are not `Secure` (the browser would drop them over http), and the CSP does not ask the
browser to upgrade requests to https (there is no TLS on the test server). Everything else, the
CSP included, is what production runs, but for one reported bug of the production settings that
these settings work around until it is fixed (the channel layer's Redis read timeout, below).
"""

from tests.settings import *  # noqa: F403
from tests.settings import CONTENT_SECURITY_POLICY

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = False
