"""The logistics app's public functions: post a concluded case's result (送达), collect
paper materials from the applicant's door (上门收件), take the courier's tracking.

The app's entry point: other code calls ``services.<name>``; the functions live in
modules by concern and are re-exported here.

- ``waybills``: reading (``waybill_for``, ``list_waybills``, ``events_of``), posting a
  result (``ship_result``: one delivery waybill per case, booked with the courier at once)
  and booking (``book``; ``retry_unbooked`` books what a courier outage left created).
- ``tracking``: signed pushes (``apply_callback``), each event applied by ``apply_track``
  and announced on the case; ``refresh``/``refresh_stale`` pull the tracks when pushes
  are missing (``tasks.sweep``).
- ``pickups``: ``book_collection(case, …)``, a courier to the applicant's door.
- ``desk``: the clerk's mail desk, ``correct``, ``book_now``, ``cancel``, ``resend``.

Every state change is one transaction with its audit record; calls to the courier happen
outside it (the courier is idempotent by our ``reference``).
"""

from tongban.logistics.desk import book_now, cancel, correct, resend
from tongban.logistics.pickups import (
    COLLECTABLE,
    PICKUP_DAYS_AHEAD,
    PICKUP_HOURS,
    book_collection,
)
from tongban.logistics.tracking import (
    CODES,
    DISPATCHED,
    MAX_BODY,
    Outcome,
    apply_callback,
    apply_track,
    refresh,
    refresh_stale,
)
from tongban.logistics.waybills import (
    LIST_DEFERRED,
    SYSTEM,
    book,
    callback_url,
    events_of,
    list_waybills,
    retry_unbooked,
    ship_result,
    waybill_for,
)

__all__ = [
    "CODES",
    "COLLECTABLE",
    "DISPATCHED",
    "LIST_DEFERRED",
    "MAX_BODY",
    "PICKUP_DAYS_AHEAD",
    "PICKUP_HOURS",
    "SYSTEM",
    "Outcome",
    "apply_callback",
    "apply_track",
    "book",
    "book_collection",
    "book_now",
    "callback_url",
    "cancel",
    "correct",
    "events_of",
    "list_waybills",
    "refresh",
    "refresh_stale",
    "resend",
    "retry_unbooked",
    "ship_result",
    "waybill_for",
]
