"""The stack's cron: ``manage.py notify_due`` every minute, as docs/notify.md asks.

``notify_due`` is the safety net for messages whose delivery task was lost (a web process
killed between its commit and the enqueue, a work horse killed mid-send): it sends what is
due and takes back claims whose lease ran out. In production a systemd timer
(``deploy/tongban-notify-due.timer``) runs it; here one process runs it in a loop with
Django set up once, so a minute's run does not cost a fresh interpreter.

    python -m proof._cron
"""

import os
import time

import django

JOBS = (("notify_due", 60),)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import DatabaseError, connections

    due = dict.fromkeys((name for name, _every in JOBS), 0.0)
    while True:
        now = time.monotonic()
        for name, every in JOBS:
            if now >= due[name]:
                due[name] = now + every
                try:
                    call_command(name, verbosity=0)
                except DatabaseError as error:  # PostgreSQL away: the next minute tries again
                    print(f"{name}: {error}", flush=True)
                finally:
                    connections.close_all()
        time.sleep(1)


if __name__ == "__main__":
    main()
