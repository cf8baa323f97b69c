"""What the database holds after a fault run; runs inside the stack (``manage.py shell``).

    manage.py shell -c "import proof._faults_db as d; d.main('<request.json>')"

The request names the run's Idempotency-Keys, its applicants' usernames and its start; one
JSON line is printed: the cases per key, and the state of the messages those filings sent.
"""

import json
from collections import Counter


def cases_by_key(keys: list[str]) -> dict[str, list[str]]:
    from tongban.cases.models import Case

    found: dict[str, list[str]] = {key: [] for key in keys}
    rows = Case.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "number")
    for key, number in rows:
        found[key].append(number)
    return found


def messages(usernames: list[str], since: str) -> dict:
    """The run's messages by channel and status; ``stuck``: due but neither sent nor being
    sent (a lost task the minute's ``notify_due`` has not taken yet)."""
    from tongban.core import clock
    from tongban.notify.models import Message

    rows = Message.objects.filter(recipient__username__in=usernames, created_at__gte=since)
    now = clock.now()
    by_status = Counter(
        f"{channel}:{status}" for channel, status in rows.values_list("channel", "status")
    )
    waiting = rows.filter(status=Message.Status.QUEUED)
    return {
        "total": rows.count(),
        "by_status": dict(sorted(by_status.items())),
        "stuck": waiting.filter(next_attempt_at__lte=now).count()
        + rows.filter(status=Message.Status.SENDING, next_attempt_at__lte=now).count(),
        # Deferred by policy (the per-number hourly limit, quiet hours): sent when due.
        "deferred": waiting.filter(next_attempt_at__gt=now).count(),
    }


def rq_state() -> dict:
    import django_rq
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue("default")
    return {
        "queued": queue.count,
        "started": StartedJobRegistry(queue=queue).count,
        "scheduled": ScheduledJobRegistry(queue=queue).count,
        "failed": FailedJobRegistry(queue=queue).count,
    }


def main(path: str) -> None:
    with open(path) as source:
        request = json.load(source)
    answer = {
        "cases": cases_by_key(request["keys"]),
        "messages": messages(request["usernames"], request["since"]),
        "rq": rq_state(),
    }
    print(json.dumps(answer))
