"""Fixed-window counters for the platform's open doors (case tracking, license verification
and scans, read-aloud audio, 帮办代办 booking): anyone may use them without an account, so
each client address (or phone, or case) gets a budget per window, counted in the cache
shared by all processes."""

import math

from django.core.cache import cache

from tongban.core import clock
from tongban.errors import RateLimited


def count(
    scope: str, who: str, *, allowed: int, window_seconds: int, message: str, message_en: str
):
    """Count one use of ``scope`` by ``who``; past ``allowed`` a ``RateLimited`` saying when
    the window ends (Retry-After)."""
    now = clock.now().timestamp()
    window = int(now // window_seconds)
    key = _key(scope, who, window)
    try:
        used = cache.incr(key)
    except ValueError:
        used = 1 if cache.add(key, 1, timeout=window_seconds + 60) else cache.incr(key)
    if used > allowed:
        raise RateLimited(
            retry_after=retry_after(window_seconds), message=message, message_en=message_en
        )


def used(scope: str, who: str, *, window_seconds: int) -> int:
    """How many uses ``count`` has counted for ``who`` in the current window (no use)."""
    window = int(clock.now().timestamp() // window_seconds)
    return cache.get(_key(scope, who, window)) or 0


def retry_after(window_seconds: int) -> int:
    """Seconds until the current window ends."""
    now = clock.now().timestamp()
    return math.ceil(window_seconds * (int(now // window_seconds) + 1) - now)


def _key(scope: str, who: str, window: int) -> str:
    return f"{scope}:{who or 'unknown'}:{window}"
