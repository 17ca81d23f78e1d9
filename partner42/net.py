"""The client's address: `client_ip(request)`, the one answer for throttles, lockouts and logs.

`X-Forwarded-For` is whatever the sender wrote, so it is believed only when the request comes
from a proxy we run: `TRUSTED_PROXIES` (addresses or networks, default none). The header is read
from the right (the hop the nearest proxy added) leftwards, skipping our own proxies; the first
address that is not one of them is the client. From any other peer the header is ignored and the
client is `REMOTE_ADDR`, so a client cannot pick a new address per request to dodge a throttle
or a lockout.

Imports no app (partner42 sits below them all).
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from partner42.outage import OutageLog

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.warning("TRUSTED_PROXIES: %r is not an address or network", entry)
    return tuple(networks)


def _address(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address | None) -> bool:
    if address is None:
        return False
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or from X-Forwarded-For behind a trusted proxy."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    peer = _address(remote)
    if not _trusted(peer):
        return str(peer) if peer is not None else remote
    hops = [h for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Garbage a trusted proxy passed on: the last hop we could trust is all we know.
            break
        client = address
        if not _trusted(address):
            break
    return str(client)


# A throttle whose cache fails lets the request through; said once a minute, not per request.
_THROTTLE_OUTAGE = OutageLog(logger, "The throttle cache")


class ClientIpThrottleMixin:
    """DRF throttles keyed by `client_ip` instead of DRF's own reading of X-Forwarded-For (which
    believes any sender unless NUM_PROXIES is set), failing open when their cache fails.

    The counts are a guard against floods, not data: with Redis down a throttle lets every request
    through rather than answering 500 to all of them (the fail-open cache already reads a miss;
    this covers a cache backend that raises).
    """

    def get_ident(self, request) -> str:
        return client_ip(request)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:
            _THROTTLE_OUTAGE.failed(exc, "requests are not throttled")
            return True


class AnonThrottle(ClientIpThrottleMixin, AnonRateThrottle):
    pass


class UserThrottle(ClientIpThrottleMixin, UserRateThrottle):
    pass


class ScopedThrottle(ClientIpThrottleMixin, ScopedRateThrottle):
    pass
