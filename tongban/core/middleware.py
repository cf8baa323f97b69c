"""The client's own address behind the platform's reverse proxy.

gunicorn sets ``REMOTE_ADDR`` to its socket peer: behind nginx that is nginx, so every
per-address limit (sign-in, tracking, verification, read-aloud, booking) would be one limit
for the whole county and every audit record would name the proxy. nginx sets ``X-Real-IP``
to the client it saw (after its own ``real_ip`` handling of a load balancer), replacing any
value the client sent; the header is believed only when the request comes from an address
in ``TRUSTED_PROXIES``, so a client reaching gunicorn directly cannot choose its address.
"""

import ipaddress
from functools import cache

from django.conf import settings


@cache
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in network for network in networks)


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


class ClientAddressMiddleware:
    """Sets ``REMOTE_ADDR`` to ``X-Real-IP`` when a trusted proxy forwarded the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        forwarded = meta.get("HTTP_X_REAL_IP", "").strip()
        if forwarded and _valid(forwarded) and _trusted(meta.get("REMOTE_ADDR", "")):
            meta["REMOTE_ADDR"] = forwarded
        return self.get_response(request)
