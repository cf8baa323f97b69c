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
    key = f"{scope}:{who or 'unknown'}:{window}"
    try:
        used = cache.incr(key)
    except ValueError:
        used = 1 if cache.add(key, 1, timeout=window_seconds + 60) else cache.incr(key)
    if used > allowed:
        raise RateLimited(
            retry_after=math.ceil(window_seconds * (window + 1) - now),
            message=message,
            message_en=message_en,
        )
