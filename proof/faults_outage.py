"""Faults, issue 12 item 3 (second half): the SMS gateway and the payment channel down for
300 s, and a full disk for uploads. Real processes, real sockets, a real tmpfs.

The platform runs as production does on one machine, on its own ports and database:
gunicorn on 8201 (production settings, ``tongban_outage`` on the shared PostgreSQL), one
task worker (``manage.py worker``: deliveries, the payments settle sweep) and
``manage.py notify_due`` every minute as cron would; the SMS sandbox on 8226 and the
payment channel sandbox behind a link on 8229 (``proof._outage_procs.Link``).

Outage (``OUTAGE_SECONDS``, default 300): the SMS gateway process is stopped; the platform
and the payment channel are cut from each other (both directions) while the channel keeps
serving the people paying at it. Meanwhile applicants file cases (each sends an SMS),
payers whose orders were opened before pay at the channel (its notices cannot arrive, the
platform's queries fail) and payers whose orders were not opened yet press 去支付 (503,
retried every 20 s). Then everything comes back and the scenario waits for retries,
circuit-breaker probes and settlement queries to drain.

Full disk: gunicorn again with ``MEDIA_ROOT`` on a 2 MB tmpfs; applicants file cases with
uploads until the disk is full; then every filed case is checked against its files.

    python -m proof.faults_outage [--outage-seconds 300] [--part outage|disk|all]
"""

import argparse
import base64
import contextlib
import datetime
import http.client
import json
import math
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

from proof import _env
from proof._outage_procs import Link, Service, free_port

NAME = "outage"
BASE_DIR = Path(__file__).resolve().parent.parent
WORK = BASE_DIR / "var" / "proof" / "outage"
PLATFORM, SMS, PAY = 8201, 8226, 8229
DATABASE = "tongban_outage"
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
FULL_MESSAGE = "存储空间不足,材料未能保存,请稍后再试"


def log(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


# --- the platform -------------------------------------------------------------------------


class Stack:
    """The platform, its worker and cron, the two sandboxes and the two links."""

    def __init__(self, options):
        self.options = options
        self.channel_port, self.notice_port = free_port(), free_port()
        self.env = self._environment(WORK / "media")
        logs = WORK / "log"
        sandbox = [PYTHON, "-m", "proof._sandboxes"]
        self.sms = Service("sms", [*sandbox, "sms", "--port", str(SMS)], self.env, logs, SMS)
        self.channel = Service(
            "payment",
            [*sandbox, "payment", "--port", str(self.channel_port)],
            self.env,
            logs,
            self.channel_port,
        )
        self.worker = Service("worker", [PYTHON, "manage.py", "worker"], self.env, logs)
        self.gunicorn = self._gunicorn(self.env)
        self.to_channel, self.to_platform = (
            Link(PAY, self.channel_port),
            Link(self.notice_port, PLATFORM),
        )
        self.cron_stop = threading.Event()
        self.world: dict = {}

    def _environment(self, media: Path) -> dict:
        values = _env.ensure(WORK)
        site = f"http://127.0.0.1:{PLATFORM}"
        values.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            REDIS_URL="",
            TASKS_BACKEND="database",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CSRF_TRUSTED_ORIGINS=site,
            SITE_URL=site,
            OIDC_ISSUER=f"{site}/oidc",
            LICENSES_PUBLIC_URL=site,
            LOGISTICS_PUBLIC_URL=site,
            NOTIFY_SMS_URL=f"http://127.0.0.1:{SMS}",
            PAYMENTS_CHANNEL_URL=f"http://127.0.0.1:{PAY}",
            PAYMENTS_PUBLIC_URL=f"http://127.0.0.1:{self.notice_port}",
            PAYMENTS_QUERY_AFTER_SECONDS=str(self.options.query_after),
            MEDIA_ROOT=str(media),
            TONGBAN_VAR_DIR=str(WORK / "var"),
            SESSION_COOKIE_AGE=str(4 * 3600),  # the scenario's clients stay signed in
            DJANGO_SETTINGS_MODULE="tongban.settings",
        )
        return {**os.environ, **values}

    def _gunicorn(self, env: dict) -> Service:
        argv = [
            str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "tongban.wsgi",
            "-b", f"127.0.0.1:{PLATFORM}", "-w", "2", "--threads", "4", "--timeout", "120",
        ]  # fmt: skip
        return Service("gunicorn", argv, env, WORK / "log", PLATFORM)

    def manage(self, *args: str, stdin: str = "") -> str:
        result = subprocess.run(
            [PYTHON, *args], env=self.env, input=stdin, capture_output=True, text=True
        )
        if result.returncode:
            raise RuntimeError(f"{args}: {result.stderr[-3000:]}")
        return result.stdout

    def inside(self, step: str, args: dict) -> dict:
        out = self.manage("-m", "proof._outage_inside", step, stdin=json.dumps(args))
        return json.loads(out.strip().splitlines()[-1])

    def sql(self, query: str) -> str:
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DATABASE, "-tAc", query],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def up(self, payers: int, filers: int) -> "Stack":
        (WORK / "media").mkdir(parents=True, exist_ok=True)
        admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"]
        subprocess.run([*admin, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"], check=True)
        subprocess.run([*admin, f"CREATE DATABASE {DATABASE}"], check=True)
        log("migrating tongban_outage")
        self.manage("manage.py", "migrate", "--noinput", "-v", "0")
        if not (WORK / "var" / "static" / "staticfiles.json").exists():
            self.manage("manage.py", "collectstatic", "--noinput", "-v", "0")
        self.sms.start()
        self.channel.start()
        self.to_channel.up()
        self.to_platform.up()
        log(f"world: {filers} filers, {payers} cases waiting at 缴费")
        self.world = self.inside("world", {"filers": filers, "payers": payers})
        self.gunicorn.start()
        self.worker.start()
        threading.Thread(target=self._cron, daemon=True).start()
        return self

    def _cron(self) -> None:
        """``manage.py notify_due`` every minute (the production cron/systemd timer)."""
        while not self.cron_stop.wait(60):
            with contextlib.suppress(RuntimeError):
                self.manage("manage.py", "notify_due")

    def down(self) -> None:
        self.cron_stop.set()
        for service in (self.worker, self.gunicorn, self.sms, self.channel):
            service.stop()
        self.to_channel.down()
        self.to_platform.down()


# --- HTTP clients ---------------------------------------------------------------------------


def call(port: int, method: str, path: str, *, session=None, world=None, body=None, headers=None):
    """One request; ``(status, headers, raw body)``, status 0 when the connection failed."""
    sent = dict(headers or {})
    if session:
        sent["Cookie"] = f"{world['cookie']}={session}; {world['csrf_cookie']}={world['csrf']}"
        sent["X-CSRFToken"] = world["csrf"]
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except OSError:
        return 0, {}, b""
    finally:
        connection.close()


def pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(max(0, size - 9))


def file_case(world: dict, n: int, size: int = 2048):
    """Applicant ``n % filers`` files a case through the API (retried with its key)."""
    session = world["filers"][n % len(world["filers"])]
    content = base64.b64encode(pdf(size)).decode()
    body = {
        "item_code": world["item"],
        "form_data": {"purpose": "中断演练"},
        "materials": [
            {
                "spec": world["spec"],
                "file": {
                    "name": "申请书.pdf",
                    "content_type": "application/pdf",
                    "content_base64": content,
                },
            }
        ],
    }
    headers = {"Idempotency-Key": f"outage-{uuid.uuid4().hex}"}
    for _attempt in range(3):
        status, answer_headers, raw = call(
            PLATFORM,
            "POST",
            "/api/v1/cases",
            session=session,
            world=world,
            body=body,
            headers=headers,
        )
        if status in (200, 201) or 400 <= status < 500 or status == 503:
            break
        time.sleep(1)
    return status, answer_headers, raw


# --- the outage -----------------------------------------------------------------------------


def outage(stack: Stack, options) -> dict:
    world, seconds = stack.world, options.outage_seconds
    orders = world["orders"]
    half = len(orders) // 2
    opened, waiting = orders[:half], orders[half:]
    payers = dict(zip([o["number"] for o in orders], world["payers"], strict=True))
    for order in opened:
        order["pay_url"] = start_payment(world, payers[order["number"]], order["number"])[1]
    filed = [file_case(world, n)[0] for n in range(5)]
    log(f"before: {len(opened)} payments opened at the channel ({opened[0]['pay_url']} …)")
    log(f"before: filings {filed}")
    wait_for(lambda: stack.sql(_UNSENT) == "0", 120, "the first SMS")
    before = gateway_messages()

    start = now()
    log(f"outage for {seconds} s: SMS gateway stopped, platform and channel cut off")
    stack.sms.stop()
    stack.to_channel.down()
    stack.to_platform.down()
    refused_pay = {"n": 0}
    pay_threads = [
        threading.Thread(
            target=pay_late, args=(world, payers[o["number"]], o, refused_pay), daemon=True
        )
        for o in waiting
    ]
    for thread in pay_threads:
        thread.start()
    during = file_and_pay_during(world, opened, payers, seconds, options.rate)
    end = now()
    stack.sms.start()
    stack.to_channel.up()
    stack.to_platform.up()
    log(f"back: {during['filed']} filed during the outage; waiting for the drain")

    drained = drain(stack, orders, end, options.drain_timeout)
    for thread in pay_threads:
        thread.join(5)
    received = gateway_counts(before + gateway_messages())
    figures = stack.inside(
        "figures",
        {
            "outage_start": start.isoformat(),
            "outage_end": end.isoformat(),
            "gateway": received,
            "orders": orders,
        },
    )
    channel = channel_orders(stack.channel_port)
    statuses = figures.pop("orders")
    return {
        "outage_seconds": round((end - start).total_seconds(), 1),
        **during,
        **figures,
        "pay_refused_during_outage": refused_pay["n"],
        "orders_paid_at_channel": sum(1 for o in orders if channel.get(o["number"]) == "paid"),
        # Every payment the channel took, for any order: more than one per case = charged twice.
        "channel_payments_total": sum(1 for status in channel.values() if status == "paid"),
        "orders_paid_on_platform": sum(1 for s in statuses.values() if s == "paid"),
        "orders_total": len(orders),
        "orders_paid_during_outage": during["paid_at_channel"],
        **drained,
    }


_UNSENT = (
    "SELECT count(*) FROM notify_message WHERE channel = 'sms' AND status IN ('queued', 'sending')"
)


def start_payment(world: dict, session: str, number: str) -> tuple[int, str]:
    status, _headers, raw = call(
        PLATFORM,
        "POST",
        f"/api/v1/payments/orders/{number}/pay",
        session=session,
        world=world,
        body={},
    )
    return status, json.loads(raw).get("pay_url", "") if status == 200 else ""


def pay_at_channel(world: dict, session: str, pay_url: str) -> int:
    """The payer presses 支付成功 on the channel's page, then comes back to the platform."""
    parts = urllib.parse.urlsplit(pay_url)
    status, headers, _raw = call(
        parts.port,
        "POST",
        parts.path,
        body=b"action=paid",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    back = urllib.parse.urlsplit(headers.get("Location", ""))
    if back.path:  # the return page asks the channel on the spot (fails during the outage)
        call(PLATFORM, "GET", back.path, session=session, world=world)
    return status


def pay_late(world: dict, session: str, order: dict, refused: dict) -> None:
    """A payer whose order was not opened yet: 去支付 until it works, then pay."""
    while True:
        status, pay_url = start_payment(world, session, order["number"])
        if status == 200 and pay_url:
            order["pay_url"] = pay_url
            pay_at_channel(world, session, pay_url)
            return
        refused["n"] += status == 503
        time.sleep(20)


def file_and_pay_during(
    world: dict, opened: list, payers: dict, seconds: float, rate: float
) -> dict:
    """File cases at ``rate`` per second and spread the opened orders' payments over the outage."""
    started, n, statuses, paid = time.monotonic(), 0, {}, []
    pay_times = [seconds * (i + 0.5) / max(1, len(opened)) for i in range(len(opened))]
    while (elapsed := time.monotonic() - started) < seconds:
        while pay_times and pay_times[0] <= elapsed:
            pay_times.pop(0)
            order = opened[len(paid)]
            paid.append(pay_at_channel(world, payers[order["number"]], order["pay_url"]))
        status = file_case(world, 1000 + n)[0]
        statuses[status] = statuses.get(status, 0) + 1
        n += 1
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
    return {
        "filed": statuses.get(201, 0),
        "filing_statuses": statuses,
        "paid_at_channel": paid.count(303),
        "pay_page_statuses": paid,
    }


def drain(stack: Stack, orders: list, end: datetime.datetime, timeout: float) -> dict:
    """Wait until no SMS is unsent and every order is paid on the platform."""
    # psql takes one SQL text: the order numbers the platform gave are checked to be plain
    # letters, digits and hyphens before they are quoted into it.
    assert all(re.fullmatch(r"[A-Za-z0-9-]+", o["number"]) for o in orders)
    numbers = ",".join(f"'{o['number']}'" for o in orders)
    unpaid = (
        "SELECT count(*) FROM payments_paymentorder"  # nosec B608  # numbers checked above
        f" WHERE number IN ({numbers}) AND status <> 'paid'"
    )
    sms_at = paid_at = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (sms_at and paid_at):
        if sms_at is None and stack.sql(_UNSENT) == "0":
            sms_at = (now() - end).total_seconds()
        if paid_at is None and stack.sql(unpaid) == "0":
            paid_at = (now() - end).total_seconds()
        time.sleep(5)
    log(f"drained: SMS after {sms_at} s, payments after {paid_at} s")
    return {
        "sms_drained_after_recovery_s": _round(sms_at),
        "payments_drained_after_recovery_s": _round(paid_at),
        "drain_timeout_s": timeout,
    }


def _round(value):
    return None if value is None else round(value, 1)


def wait_for(ready, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(2)


def gateway_messages() -> list[dict]:
    status, _headers, raw = call(SMS, "GET", "/messages.json")
    return json.loads(raw)["messages"] if status == 200 else []


def gateway_counts(messages: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in messages:
        counts[message["client_msg_id"]] = counts.get(message["client_msg_id"], 0) + 1
    return counts


def channel_orders(port: int) -> dict[str, str]:
    _status, _headers, raw = call(port, "GET", "/orders.json")
    return {o["number"]: o["status"] for o in json.loads(raw)["orders"]}


# --- the full disk --------------------------------------------------------------------------


def full_disk(stack: Stack, options) -> dict:
    """gunicorn with MEDIA_ROOT on a small tmpfs; file with uploads until it is full."""
    mount = WORK / "full-media"
    mount.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={options.disk_mb}m", "tmpfs", str(mount)], check=True
    )
    try:
        stack.gunicorn.stop()
        stack.gunicorn = stack._gunicorn({**stack.env, "MEDIA_ROOT": str(mount)})
        stack.gunicorn.start()
        result = fill(stack.world, options)
        result.update(web_filing_when_full(stack.world))
        check = stack.inside("disk", {"cases": result.pop("cases"), "media": str(mount)})
    finally:
        stack.gunicorn.stop()
        subprocess.run(["umount", str(mount)], check=False)
    half = ("rows_without_file", "rows_with_different_file", "files_without_row")
    return {
        "tmpfs_mb": options.disk_mb,
        **result,
        **check,
        "half_written": sum(check[k] for k in half) + check["cases_without_their_file"],
    }


def fill(world: dict, options) -> dict:
    size = options.upload_kb * 1024
    filed, refused, others, cases, streak, n = 0, 0, {}, [], 0, 0
    clear = retry_after = True
    while streak < 5 and n < options.max_filings:
        status, headers, raw = file_case(world, 5000 + n, size)
        n += 1
        if status == 201:
            filed, streak = filed + 1, 0
            cases.append(json.loads(raw)["number"])
        elif status == 503:
            refused, streak = refused + 1, streak + 1
            answer = json.loads(raw)
            clear = clear and answer["message"] == FULL_MESSAGE and answer["fields"] == {}
            retry_after = retry_after and int(headers.get("Retry-After", "0")) > 0
        else:
            others[status] = others.get(status, 0) + 1
    return {
        "upload_kb": options.upload_kb,
        "filings": n,
        "filed": filed,
        "refused_503": refused,
        "refusals_clear_and_fieldless": clear and refused > 0,
        "refusals_with_retry_after": retry_after and refused > 0,
        "other_statuses": others,
        "cases": cases,
    }


def web_filing_when_full(world: dict) -> dict:
    """The web form, disk full: the form again with the message, no 500 page."""
    boundary = uuid.uuid4().hex
    token, session = world["csrf"], world["filers"][0]
    fields = {"csrfmiddlewaretoken": token, "token": uuid.uuid4().hex[:20], "purpose": "中断演练"}
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="material_{world["spec"]}"; '
        f'filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + pdf(300 * 1024)
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    status, _headers, raw = call(
        PLATFORM,
        "POST",
        f"/items/{world['item']}/apply/",
        session=session,
        world=world,
        body=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Referer": f"http://127.0.0.1:{PLATFORM}/",
        },
    )
    page = raw.decode(errors="replace")
    return {
        "web_form_status": status,
        "web_form_shows_message": FULL_MESSAGE in page and 'name="purpose"' in page,
    }


# --- the runner's entry ---------------------------------------------------------------------


def options_from(options=None) -> argparse.Namespace:
    """The runner's options with this scenario's defaults filled in."""
    values = {
        "outage_seconds": float(os.environ.get("OUTAGE_SECONDS", 300)),
        "rate": 1.0,
        "payers": 20,
        "query_after": 300,
        "drain_timeout": 1200.0,
        "disk_mb": 2,
        "upload_kb": 150,
        "max_filings": 60,
        "part": "all",
    }
    given = {k: v for k, v in vars(options or argparse.Namespace()).items() if v is not None}
    return argparse.Namespace(**{**values, **{k: given[k] for k in given if k in values}})


def run(options=None) -> dict:
    options = options_from(options)
    filings = 10 + options.rate * options.outage_seconds + options.max_filings
    filers = max(20, math.ceil(filings / 4))  # NOTIFY_SMS_PER_HOUR = 5 per number
    stack = Stack(options)
    figures: dict = {"conditions": _conditions(options)}
    try:
        stack.up(payers=options.payers, filers=filers)
        if options.part in ("outage", "all"):
            figures["outage"] = outage(stack, options)
        if options.part in ("disk", "all"):
            figures["full_disk"] = full_disk(stack, options)
    finally:
        stack.down()
    return figures


def _conditions(options) -> dict:
    return {
        "at": now().isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores shared with other helpers",
        "load_average_1m": round(os.getloadavg()[0], 1),
        "options": vars(options),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage-seconds", type=float)
    parser.add_argument("--rate", type=float, help="filings per second during the outage")
    parser.add_argument("--payers", type=int)
    parser.add_argument("--query-after", type=int, help="PAYMENTS_QUERY_AFTER_SECONDS")
    parser.add_argument("--drain-timeout", type=float)
    parser.add_argument("--disk-mb", type=int)
    parser.add_argument("--upload-kb", type=int)
    parser.add_argument("--max-filings", type=int)
    parser.add_argument("--part", choices=["outage", "disk", "all"])
    figures = run(parser.parse_args(argv))
    out = WORK / "figures.json"
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
