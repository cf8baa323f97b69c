"""Daily indicator snapshots: the trend lines of the dashboard.

``take(date)`` stores every indicator for the county, each department and each town; taking
the same day again replaces that day's figures (idempotent per day). ``trend(key)`` reads a
scope's series back.
"""

import datetime

from django.db import transaction

from tongban.audit import services as audit
from tongban.core import clock
from tongban.metrics import indicators
from tongban.metrics.models import IndicatorSnapshot

Scope = IndicatorSnapshot.Scope


def scopes() -> list[indicators.Scope]:
    return [
        indicators.COUNTY,
        *(indicators.Scope(department=d) for d in indicators.departments()),
        *(indicators.Scope(town=t) for t in indicators.towns()),
    ]


def take(date: datetime.date | None = None, *, actor="system:metrics") -> int:
    """Store the day's figures of every scope; the number of snapshot rows written."""
    date = date or clock.today()
    rows = [
        IndicatorSnapshot(
            date=date,
            key=figure.key,
            scope=scope.kind,
            scope_code=scope.code,
            numerator=figure.numerator,
            denominator=figure.denominator,
            value=figure.value,
            target=figure.target,
        )
        for scope in scopes()
        for figure in indicators.compute(scope)
    ]
    with transaction.atomic():
        replaced, _ = IndicatorSnapshot.objects.filter(date=date).delete()
        IndicatorSnapshot.objects.bulk_create(rows)
        audit.record(
            actor,
            "metrics.snapshot.take",
            object_type="metrics.indicatorsnapshot",
            object_id=date.isoformat(),
            changes={"rows": len(rows), "replaced": replaced},
        )
    return len(rows)


def trend(
    key: str, *, scope: str = Scope.COUNTY, code: str = "", days: int = 90
) -> list[tuple[datetime.date, float | None]]:
    since = clock.today() - datetime.timedelta(days=days)
    return list(
        IndicatorSnapshot.objects.filter(key=key, scope=scope, scope_code=code, date__gte=since)
        .order_by("date")
        .values_list("date", "value")
    )


def trends(keys, *, scope: str = Scope.COUNTY, code: str = "", days: int = 90) -> dict:
    """``{"dates": [...], "series": {key: [value, …]}}`` for a chart, one query."""
    since = clock.today() - datetime.timedelta(days=days)
    rows = IndicatorSnapshot.objects.filter(
        key__in=list(keys), scope=scope, scope_code=code, date__gte=since
    ).values_list("date", "key", "value")
    dates = sorted({date for date, _key, _value in rows})
    index = {(date, key): value for date, key, value in rows}
    return {
        "dates": [d.isoformat() for d in dates],
        "series": {key: [index.get((d, key)) for d in dates] for key in keys},
    }
