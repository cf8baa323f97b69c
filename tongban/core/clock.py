"""The platform's clock. Code asks here, never ``date.today()``, so tests can move time.

Tests move it with time-machine, which moves ``timezone.now()`` with the rest.
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    return timezone.localdate(now())
