"""The outage scenario's steps that need Django: the world it files against, and the figures.

Run by ``proof.faults_outage`` in the platform's own environment (database, keys); reads a
JSON argument on stdin and prints one JSON line:

    python -m proof._outage_inside world|figures|disk < args.json

``world`` creates, through the apps' services and the test factories, an item to file,
persons with a phone (their filings send SMS), persons without one whose cases of a
fee-charging item wait at 缴费 with an order, and a signed-in session for each.
"""

import datetime
import hashlib
import json
import os
import sys
from collections import Counter
from importlib import import_module
from pathlib import Path

import django

CSRF = "outagecsrf" + "0" * 22  # a 32-character CSRF secret the clients send as cookie and header


def _session(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def world(args: dict) -> dict:
    from django.conf import settings

    from tongban.cases.tests.factories import applicant_person, form_item
    from tongban.payments import services as payments
    from tongban.payments.tests.factories import case_at_payment, fee_item

    item, fee = form_item(), fee_item()
    filers = [applicant_person(phone=f"1390226{n:04d}") for n in range(args["filers"])]
    payers = [applicant_person() for _n in range(args["payers"])]
    orders = []
    for payer in payers:
        case, _clerk = case_at_payment(fee, payer)
        orders.append({"number": payments.order_for(case).number, "case": case.number})
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf": CSRF,
        "item": item.implementation_code,
        "spec": item.current_guide.materials.get(name="申请书").pk,
        "filers": [_session(user) for user in filers],
        "payers": [_session(user) for user in payers],
        "orders": orders,
    }


def figures(args: dict) -> dict:
    """The SMS stored during the outage and what became of them; the orders' end state."""
    from tongban.notify.models import Channel, Message
    from tongban.payments.models import PaymentOrder

    start, end = (datetime.datetime.fromisoformat(args[k]) for k in ("outage_start", "outage_end"))
    sms = Message.objects.filter(channel=Channel.SMS)
    during = sms.filter(created_at__gte=start, created_at__lt=end)
    received: Counter = Counter(args["gateway"])
    ids = {m.uid.hex: m for m in sms}
    sent_at = [m.sent_at for m in during if m.sent_at]
    orders = PaymentOrder.objects.filter(number__in=[o["number"] for o in args["orders"]])
    by_case = Counter(
        o.case_id for o in PaymentOrder.objects.filter(case__in=orders.values("case"))
    )
    return {
        "sms_total": len(ids),
        "sms_during_outage": during.count(),
        "sms_during_outage_by_status": dict(Counter(during.values_list("status", flat=True))),
        "sms_during_outage_at_gateway": sum(1 for m in during if m.uid.hex in received),
        "sms_dead": sms.filter(status=Message.Status.DEAD).count(),
        "sms_failed": sms.filter(status=Message.Status.FAILED).count(),
        "sms_lost": sum(1 for uid in ids if uid not in received),
        "gateway_unknown_ids": sum(1 for uid in received if uid not in ids),
        "gateway_duplicates": sum(n - 1 for n in received.values() if n > 1),
        "sms_attempts_max": max((m.attempts for m in during), default=0),
        "last_sent_after_recovery_s": _seconds(max(sent_at) - end) if sent_at else None,
        "first_sent_after_recovery_s": _seconds(min(sent_at) - end) if sent_at else None,
        "orders": {o.number: o.status for o in orders},
        "orders_per_case_max": max(by_case.values(), default=0),
    }


def disk(args: dict) -> dict:
    """Half-written filings: rows whose file is missing or differs, files without a row."""
    from tongban.cases.models import Case, Material

    root = Path(args["media"])  # the tmpfs gunicorn wrote to
    rows = Material.objects.exclude(file="").filter(case__number__in=args["cases"])
    missing = differs = 0
    for material in rows:
        path = root / material.file.name
        if not path.is_file():
            missing += 1
        elif hashlib.sha256(path.read_bytes()).hexdigest() != material.sha256:
            differs += 1
    named = set(Material.objects.exclude(file="").values_list("file", flat=True))
    on_disk = [p for p in root.rglob("*") if p.is_file()]
    orphans = [str(p.relative_to(root)) for p in on_disk if str(p.relative_to(root)) not in named]
    filed = Case.objects.filter(number__in=args["cases"])
    return {
        "cases_in_database": filed.count(),
        "cases_without_their_file": filed.exclude(
            pk__in=Material.objects.exclude(file="").values("case")
        ).count(),
        "rows_without_file": missing,
        "rows_with_different_file": differs,
        "files_without_row": len(orphans),
        "files_on_disk": len(on_disk),
        "bytes_on_disk": sum(p.stat().st_size for p in on_disk),
    }


def _seconds(delta: datetime.timedelta) -> float:
    return round(delta.total_seconds(), 1)


STEPS = {"world": world, "figures": figures, "disk": disk}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    django.setup()
    result = STEPS[sys.argv[1]](json.loads(sys.stdin.read() or "{}"))
    print(json.dumps(result, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
