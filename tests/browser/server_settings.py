"""Settings of the daphne server the browser tests drive: the test settings, served over plain
HTTP on 127.0.0.1.

Three differences from production, all about serving without TLS or collectstatic, none about
behaviour: static files come from the finders (no `collectstatic` run), the session and CSRF
cookies are not `Secure` (the browser would drop them over http), and the CSP does not ask the
browser to upgrade requests to https (there is no TLS on the test server). Everything else, the
CSP included, is what production runs, but for one reported bug of the production settings that
these settings work around until it is fixed (the channel layer's Redis read timeout, below).
"""

from partner42.test_settings import *  # noqa: F403
from partner42.test_settings import CHANNEL_LAYERS, CONTENT_SECURITY_POLICY

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = False

# A bug of the production settings, found by these journeys and reported (remove this block once
# partner42/settings.py gives the channel layer a socket timeout itself): redis-py 8 reads with a
# 5 s socket timeout by default, and channels_redis waits on Redis for up to 5 s (BZPOPMIN,
# `brpop_timeout`), so the read of an idle wait times out and the websocket consumer holding it
# dies ("Timeout reading from 127.0.0.1:6379" in the server log). The page reconnects a second
# later, but an alarm pushed meanwhile never shows its toast. A timeout longer than the wait keeps
# the sockets open. Only a plain URL host is changed: a host the settings configure is left alone.
_layer = CHANNEL_LAYERS["default"].get("CONFIG", {})
if "hosts" in _layer:
    _layer["hosts"] = [
        {"address": host, "socket_timeout": 10} if isinstance(host, str) else host
        for host in _layer["hosts"]
    ]
