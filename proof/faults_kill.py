"""Faults, issue 12 item 3 (first half): kill -9 under load, and PostgreSQL restarted
mid-load, on the production shape (``proof.stack``: nginx, gunicorn, rq workers, its own
PostgreSQL cluster).

kill9: ``--filings`` (1,000) cases filed through ``POST /api/v1/cases`` (the applicant API
the portal and the provincial app use) by ``--threads`` (20) concurrent clients, each
filing with its own ``Idempotency-Key`` and retrying with back-off on connection errors,
timeouts and 5xx, while a chaos thread kill -9s a gunicorn worker, a task worker or a work
horse every 2-5 s, and gunicorn's master once. Then: cases per key in the database against
the acknowledged filings (lost: acknowledged and absent; duplicated: more than one case for
a key), and the messages the filings queued, once the workers are back.

postgres_restart: clients file for ``--pg-seconds`` while the stack's own cluster is
restarted (``pg_ctlcluster 15 proof restart``); the platform is not touched. Reported: the
outage the clients saw, every answer that was not a success by status, and that every key
ends as exactly one case.

    python -m proof.faults kill        # both scenarios (make faults runs every scenario)
"""

import contextlib
import json
import os
import random
import signal
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

from proof.stack import Stack, StackError, _children

ITEM_CODE = "11610124TB0000028Y000102010000"  # 户籍证明开具: a person, no material required
PERSONS_PER_THREAD = 5
RETRY_SECONDS = 240  # a client keeps retrying one filing this long before giving up
TIMEOUT = (3, 30)


class SignInFailed(requests.RequestException):
    """The sign-in page did not sign in (the site was down): retried like a lost connection."""


class Client:
    """One applicant's browser-like session: signs in with a password, files with retries."""

    def __init__(self, base: str, person: dict):
        self.base, self.person = base, person
        self.http = requests.Session()
        self.signed_in = False

    def sign_in(self) -> None:
        self.http.cookies.clear()
        self.http.get(f"{self.base}/login/", timeout=TIMEOUT)
        answer = self.http.post(
            f"{self.base}/login/",
            data={
                "action": "password",
                "phone": self.person["phone"],
                "password": self.person["password"],
                "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{self.base}/login/"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        if answer.status_code != 302:
            raise SignInFailed(f"sign-in {answer.status_code}")
        self.signed_in = True

    def _post(self, key: str) -> requests.Response:
        if not self.signed_in:
            self.sign_in()
        return self.http.post(
            f"{self.base}/api/v1/cases",
            json={"item_code": ITEM_CODE, "form_data": {}, "materials": []},
            headers={
                "Idempotency-Key": key,
                "X-CSRFToken": self.http.cookies.get("csrftoken", ""),
                "Referer": f"{self.base}/",
            },
            timeout=TIMEOUT,
        )

    def file(self, key: str, log: list) -> dict:
        """File once under ``key``, retrying until acknowledged or ``RETRY_SECONDS`` pass.
        Every attempt's outcome goes to ``log`` as (time, outcome)."""
        deadline, attempt = time.monotonic() + RETRY_SECONDS, 0
        while True:
            attempt += 1
            try:
                answer = self._post(key)
                outcome = answer.status_code
            except SignInFailed as error:
                answer, outcome = None, str(error)
            except requests.RequestException as error:
                answer, outcome = None, type(error).__name__
            log.append((time.time(), outcome))
            if answer is not None and answer.status_code in (200, 201):
                return {"key": key, "number": answer.json()["number"], "attempts": attempt}
            if answer is not None and answer.status_code in (401, 403):
                self.signed_in = False  # the session or its CSRF token is gone: sign in again
            elif answer is not None and answer.status_code < 500 and answer.status_code != 429:
                return {"key": key, "number": None, "attempts": attempt, "refused": outcome}
            if time.monotonic() > deadline:
                return {"key": key, "number": None, "attempts": attempt, "gave_up": outcome}
            time.sleep(min(5.0, 0.2 * 2 ** min(attempt, 5)) * random.uniform(0.5, 1.0))


def _file_many(stack: Stack, count: int, threads: int, *, stop_after: float | None = None):
    """``count`` filings (or as many as fit in ``stop_after`` seconds) by ``threads`` clients;
    (results, attempt log, usernames)."""
    persons = stack.credentials["persons"]
    if len(persons) < threads * PERSONS_PER_THREAD:
        raise StackError("not enough test persons in the stack's state.json")
    results, log, lock = [], [], threading.Lock()
    counter = iter(range(count))
    ends = time.monotonic() + stop_after if stop_after else None

    def client(number: int) -> None:
        mine = persons[number * PERSONS_PER_THREAD : (number + 1) * PERSONS_PER_THREAD]
        clients = [Client(stack.url, person) for person in mine]
        for each in clients:  # signed in before the faults begin (retried while they last)
            with contextlib.suppress(requests.RequestException):
                each.sign_in()
        while ends is None or time.monotonic() < ends:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            outcome = clients[index % len(clients)].file(uuid.uuid4().hex, log)
            with lock:
                results.append(outcome)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    usernames = [p["username"] for p in persons[: threads * PERSONS_PER_THREAD]]
    return results, log, usernames


def _chaos(stack: Stack, stop: threading.Event, events: list, master_after: float) -> None:
    """kill -9 at random every 2-5 s: a gunicorn worker (4 times in 6), a task worker, a work
    horse; gunicorn's master once, ``master_after`` seconds in."""
    started, master_done = time.monotonic(), False
    choices = ["gunicorn worker"] * 4 + ["task worker", "work horse"]
    while not stop.wait(random.uniform(2.0, 5.0)):
        if not master_done and time.monotonic() - started > master_after:
            target, master_done = "gunicorn master", True
        else:
            target = random.choice(choices)
        pids = _kill(stack, target)
        events.append({"at": round(time.monotonic() - started, 1), "kill -9": target, "pids": pids})


def _kill(stack: Stack, target: str) -> list[int]:
    with contextlib.suppress(StackError):
        if target == "gunicorn worker":
            if len(stack.processes()["gunicorn"]) < 2:
                return []  # a master still starting has no worker yet
            return stack.kill("gunicorn", signal.SIGKILL, which="random")
        if target == "gunicorn master":
            return stack.kill("gunicorn", signal.SIGKILL, which="master")
        if target == "task worker":
            return stack.kill("task_worker", signal.SIGKILL, which="random")
        horses = [p for w in stack.processes()["task_worker"] for p in _children(w)]
        if horses:
            pid = random.choice(horses)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return [pid]
    return []


def _inspect(stack: Stack, keys: list[str], usernames: list[str], since: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as request:
        json.dump({"keys": keys, "usernames": usernames, "since": since}, request)
    try:
        code = f"import proof._faults_db as d; d.main({request.name!r})"
        result = stack.manage("shell", "-c", code)
    finally:
        Path(request.name).unlink()
    return json.loads(result.stdout.strip().splitlines()[-1])


def _settle(stack: Stack, keys, usernames, since, timeout: float) -> tuple[dict, float]:
    """Wait until the queue is drained and no message of the run is stuck (the minute's
    notify_due takes back what a killed horse held); the last inspection and the wait."""
    started = time.monotonic()
    while True:
        state = _inspect(stack, keys, usernames, since)
        rq, messages = state["rq"], state["messages"]
        if (rq["queued"] == 0 and rq["started"] == 0 and messages["stuck"] == 0) or (
            time.monotonic() - started > timeout
        ):
            return state, round(time.monotonic() - started, 1)
        time.sleep(5)


def _counts(results: list[dict], cases: dict[str, list[str]]) -> dict:
    acknowledged = [r for r in results if r["number"]]
    lost = [r["key"] for r in acknowledged if r["number"] not in cases.get(r["key"], [])]
    duplicated = [key for key, numbers in cases.items() if len(numbers) > 1]
    unacknowledged = [r for r in results if not r["number"]]
    return {
        "filings": len(results),
        "acknowledged": len(acknowledged),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "keys_with_exactly_one_case": sum(len(n) == 1 for n in cases.values()),
        "unacknowledged": len(unacknowledged),
        "unacknowledged_with_a_case": sum(bool(cases.get(r["key"])) for r in unacknowledged),
        "retried_filings": sum(r["attempts"] > 1 for r in results),
        "attempts": sum(r["attempts"] for r in results),
    }


def _since() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()


def kill9(stack: Stack, filings: int = 1000, threads: int = 20) -> dict:
    since, restarts_before = _since(), stack.restarts()
    stop, events = threading.Event(), []
    chaos = threading.Thread(target=_chaos, args=(stack, stop, events, 20.0), daemon=True)
    started = time.monotonic()
    chaos.start()
    try:
        results, log, usernames = _file_many(stack, filings, threads)
    finally:
        stop.set()
        chaos.join()
    seconds = time.monotonic() - started
    stack._wait_healthy(120)
    keys = [r["key"] for r in results]
    state, waited = _settle(stack, keys, usernames, since, timeout=300)
    restarts = {k: v - restarts_before.get(k, 0) for k, v in stack.restarts().items()}
    return {
        **_counts(results, state["cases"]),
        "seconds": round(seconds, 1),
        "threads": threads,
        "answers": dict(Counter(str(outcome) for _at, outcome in log)),
        "kills": dict(Counter(e["kill -9"] for e in events if e["pids"])),
        "supervisor_restarts": restarts,
        "messages": state["messages"],
        "rq_after": state["rq"],
        "settled_after_seconds": waited,
    }


def postgres_restart(stack: Stack, seconds: float = 40, threads: int = 20) -> dict:
    since = _since()
    box: dict = {}

    def restart_later() -> None:
        time.sleep(seconds / 4)
        box["began"] = time.time()
        stack.restart("postgres")
        box["ended"] = time.time()

    restarter = threading.Thread(target=restart_later)
    restarter.start()
    results, log, usernames = _file_many(stack, 100_000, threads, stop_after=seconds)
    restarter.join()
    keys = [r["key"] for r in results]
    state, _waited = _settle(stack, keys, usernames, since, timeout=180)
    failures = sorted((at, o) for at, o in log if o not in (200, 201))
    after = [at for at, o in log if o in (200, 201) and at > box["began"]]
    outage = {}
    if failures:
        first_failure = failures[0][0]
        recovered = min((at for at in after if at > failures[-1][0]), default=None)
        outage = {
            "first_failure_after_restart_began_s": round(first_failure - box["began"], 2),
            "last_failure_after_restart_began_s": round(failures[-1][0] - box["began"], 2),
            "clients_saw_outage_s": round((recovered or failures[-1][0]) - first_failure, 2),
        }
    return {
        **_counts(results, state["cases"]),
        "seconds": seconds,
        "threads": threads,
        "restart_command_s": round(box["ended"] - box["began"], 2),
        **outage,
        "failed_answers": dict(Counter(str(o) for _at, o in failures)),
        "server_errors_500": sum(1 for _at, o in failures if o == 500),
        "messages": state["messages"],
    }


def run(options=None) -> dict:
    """Both scenarios on the stack (started if needed, left running)."""
    filings = getattr(options, "filings", None) or 1000
    threads = getattr(options, "threads", None) or 20
    stack = Stack().up()
    return {
        "conditions": _conditions(filings, threads),
        "kill9": kill9(stack, filings, threads),
        "postgres_restart": postgres_restart(stack, threads=threads),
    }


def _conditions(filings: int, threads: int) -> dict:
    return {
        "at": _since(),
        "machine": f"{os.cpu_count()} cores shared with other helpers' runs",
        "load_average_1m_before": round(os.getloadavg()[0], 1),
        "stack": "nginx -> gunicorn 2 x 8 gthread -> PostgreSQL 15 (own cluster); 2 rq workers",
        "filings": filings,
        "threads": threads,
    }
