"""The token of an email confirmation link: signed, timestamped, bound to one account and address.

No table: the token names the account and the address, and is good only while that address is
still the account's `pending_email`. Confirming clears it, so a link works once; asking for
another address (or going back to the confirmed one) retires the links already mailed.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

SALT = "accounts.email-confirmation"
MAX_AGE = timedelta(days=2)


@dataclass(frozen=True)
class EmailClaim:
    user_api_id: str
    email: str


class ExpiredLink(Exception):
    pass


class ForgedLink(Exception):
    pass


def make(*, user, email: str) -> str:
    return signing.dumps({"u": str(user.api_id), "e": email}, salt=SALT, compress=True)


def read(token: str) -> EmailClaim:
    """The claim of a genuine, unexpired token; ExpiredLink or ForgedLink otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExpiredLink from exc
    except signing.BadSignature as exc:
        raise ForgedLink from exc
    if not (isinstance(data, dict) and isinstance(data.get("u"), str)):
        raise ForgedLink
    if not isinstance(data.get("e"), str):
        raise ForgedLink
    return EmailClaim(user_api_id=data["u"], email=data["e"])
