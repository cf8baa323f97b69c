"""The load test's users (Locust): who comes to the platform, in what proportion, doing what.

    locust -f proof/locustfile.py --host http://127.0.0.1:8200   (LOAD_WORLD: the seed's file)

- ``Visitor``, the anonymous public (weight 60): searches (page and API), reads guides
  (page and API), tracks a case by number + phone, verifies an e-license (API and page),
  opens the home page;
- ``Applicant``, a person signed in with phone + password (28): files cases through the API
  with an Idempotency-Key (1 in 10 re-sent, as after a timeout), reads their cases (API and
  page), reads guides;
- ``Clerk``, staff signed in at /admin/ with password + TOTP (8): the workbench inbox (own
  tasks, the department's), opens cases, accepts submitted ones;
- ``DepartmentSystem``, a gateway client signing its requests (4): reads staff (internal
  data), pings.

Think time 3–8 s between a user's actions (people read pages). Every request is named by its
route (``/items/[code]/``), so the figures group per endpoint; an unexpected status is a failure
named ``HTTP <status>``. The seeded world (``proof.seed``) gives the codes, numbers, accounts.
"""

import base64
import itertools
import json
import os
import random
import re
import time
import uuid

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

from proof.seed import totp_now
from tongban.gateway.client import sign

WORLD: dict = {}
PDF = base64.b64encode(b"%PDF-1.4\n% load test\n").decode()
CASE_LINK = re.compile(r"/workbench/cases/([0-9A-Z]+)/")
THINK = between(3, 8)
_persons = itertools.count()
_clerks = itertools.count()


@events.init.add_listener
def _load_world(environment, **_kwargs):
    """Read the seeded world once per process (``LOAD_WORLD``)."""
    path = os.environ.get("LOAD_WORLD", "var/proof/load-world.json")
    with open(path, encoding="utf-8") as handle:
        WORLD.update(json.load(handle))


class Base(FastHttpUser):
    abstract = True
    wait_time = THINK

    def expect(self, method: str, path: str, name: str, ok=(200,), **kwargs):
        """One request counted under ``name``; a status outside ``ok`` is a failure."""
        with self.client.request(
            method, path, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            if response.status_code not in ok:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()
            return response

    def csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def form_headers(self) -> dict:
        return {"Referer": self.host + "/", "X-CSRFToken": self.csrf()}

    def guide(self):
        code = random.choice(WORLD["items"])["code"]
        self.expect("GET", f"/items/{code}/", "/items/[code]/")


class Visitor(Base):
    """The anonymous public."""

    weight = 60

    @task(4)
    def search_page(self):
        q = random.choice(WORLD["queries"])
        self.expect("GET", f"/search?q={q}", "/search?q=[q]")

    @task(2)
    def search_api(self):
        q = random.choice(WORLD["queries"])
        self.expect("GET", f"/api/v1/items?q={q}", "/api/v1/items?q=[q]")

    @task(4)
    def guide_page(self):
        self.guide()

    @task(1)
    def guide_api(self):
        code = random.choice(WORLD["items"])["code"]
        self.expect("GET", f"/api/v1/items/{code}", "/api/v1/items/[code]")

    @task(2)
    def home(self):
        self.expect("GET", "/", "/")

    @task(2)
    def track(self):
        number, phone = random.choice(WORLD["tracking"])
        if not self.csrf():
            self.expect("GET", "/track/", "/track/")
            if not self.csrf():
                return  # the form did not load: a person would not post it either
        response = self.expect(
            "POST",
            "/track/",
            "/track/ (POST)",
            data={"number": number, "secret": phone, "csrfmiddlewaretoken": self.csrf()},
            headers={"Referer": self.host + "/track/"},
        )
        if response.status_code == 200 and number not in (response.text or ""):
            response.failure("tracking: case not shown")

    @task(3)
    def verify_api(self):
        identifier = random.choice(WORLD["licenses"])
        self.expect("GET", f"/api/v1/licenses/verify/{identifier}", "/api/v1/licenses/verify/[id]")

    @task(1)
    def verify_page(self):
        identifier = random.choice(WORLD["licenses"])
        self.expect("GET", f"/licenses/verify/{identifier}/", "/licenses/verify/[id]/")


class Applicant(Base):
    """A person signed in with phone and password (/login/), filing and following cases."""

    weight = 28

    def on_start(self):
        persons = WORLD["persons"]
        self.phone = persons[next(_persons) % len(persons)]
        self.numbers: list[str] = []
        self.signed_in = False
        self.sign_in()

    def sign_in(self) -> bool:
        """Sign in with phone and password; a person whose sign-in failed tries again at
        their next action (and does nothing else until it works)."""
        if self.signed_in:
            return True
        self.expect("GET", "/login/", "/login/")
        if not self.csrf():
            return False
        response = self.expect(
            "POST",
            "/login/",
            "/login/ (POST)",
            ok=(302,),
            data={
                "action": "password",
                "phone": self.phone,
                "password": WORLD["password"],
                "csrfmiddlewaretoken": self.csrf(),
            },
            headers={"Referer": self.host + "/login/"},
        )
        self.signed_in = response.status_code == 302
        return self.signed_in

    @task(2)
    def submit(self):
        if not self.sign_in():
            return
        item = random.choice(WORLD["items"])
        body = {
            "item_code": item["code"],
            "form_data": {"purpose": f"压测申请 {uuid.uuid4().hex[:8]}"},
            "materials": [
                {
                    "spec": item["spec"],
                    "file": {
                        "name": "申请书.pdf",
                        "content_type": "application/pdf",
                        "content_base64": PDF,
                    },
                }
            ],
        }
        headers = {**self.form_headers(), "Idempotency-Key": str(uuid.uuid4())}
        response = self.expect(
            "POST", "/api/v1/cases", "/api/v1/cases (POST)", ok=(201,), json=body, headers=headers
        )
        if response.status_code == 201:
            self.numbers.append(response.json()["number"])
            if random.random() < 0.1:  # the answer was "lost": the client re-sends
                self.expect(
                    "POST",
                    "/api/v1/cases",
                    "/api/v1/cases (POST, re-sent key)",
                    ok=(200,),
                    json=body,
                    headers=headers,
                )

    @task(3)
    def my_cases_api(self):
        if not self.sign_in():
            return
        self.expect("GET", "/api/v1/cases", "/api/v1/cases")

    @task(2)
    def my_case_api(self):
        if not self.sign_in():
            return
        if self.numbers:
            number = random.choice(self.numbers)
            self.expect("GET", f"/api/v1/cases/{number}", "/api/v1/cases/[number]")

    @task(1)
    def my_cases_page(self):
        if not self.sign_in():
            return
        self.expect("GET", "/my/cases/", "/my/cases/")

    @task(2)
    def guide_page(self):
        self.guide()


class Clerk(Base):
    """A department clerk at the workbench, signed in at /admin/ with password and TOTP."""

    weight = 8

    def on_start(self):
        clerks = WORLD["clerks"]
        self.username = clerks[next(_clerks) % len(clerks)]
        self.cases: list[str] = []
        for _attempt in range(3):
            if self._sign_in():
                return
            time.sleep(31)  # a code is good once per device: the next one, as a person would

    def _sign_in(self) -> bool:
        self.expect("GET", "/admin/login/", "/admin/login/")
        response = self.expect(
            "POST",
            "/admin/login/?next=/workbench/",
            "/admin/login/ (POST)",
            ok=(302,),
            data={
                "username": self.username,
                "password": WORLD["password"],
                "otp_token": totp_now(WORLD["totp_key"]),
                "next": "/workbench/",
                "csrfmiddlewaretoken": self.csrf(),
            },
            headers={"Referer": self.host + "/admin/login/"},
        )
        return response.status_code == 302

    @task(4)
    def inbox(self):
        response = self.expect("GET", "/workbench/", "/workbench/")
        self.cases = CASE_LINK.findall(response.text or "")[:20] or self.cases

    @task(2)
    def department(self):
        response = self.expect("GET", "/workbench/?tab=department", "/workbench/?tab=department")
        if not self.cases:
            self.cases = CASE_LINK.findall(response.text or "")[:20]

    @task(3)
    def open_case(self):
        if self.cases:
            number = random.choice(self.cases)
            self.expect("GET", f"/workbench/cases/{number}/", "/workbench/cases/[number]/")

    @task(1)
    def accept(self):
        if not self.cases:
            return
        number = self.cases.pop(0)
        self.expect(
            "POST",
            f"/workbench/cases/{number}/accept/",
            "/workbench/cases/[number]/accept/ (POST)",
            ok=(302,),
            data={"note": "压测受理", "csrfmiddlewaretoken": self.csrf()},
            headers={"Referer": self.host + f"/workbench/cases/{number}/"},
        )


class DepartmentSystem(Base):
    """A department's own system calling the API with its signed key (docs/gateway.md)."""

    weight = 4

    def signed(self, path: str, query: str, name: str):
        gateway = WORLD["gateway"]
        headers = sign("GET", path, key_id=gateway["key_id"], secret=gateway["secret"], query=query)
        return self.expect("GET", f"{path}?{query}" if query else path, name, headers=headers)

    @task(3)
    def staff(self):
        self.signed("/api/v1/org/staff", "limit=20", "/api/v1/org/staff (signed)")

    @task(1)
    def ping(self):
        self.signed("/api/v1/gateway/ping", "", "/api/v1/gateway/ping (signed)")


# --- every task once (the cheap test, proof/tests/test_load.py) -----------------------------


def each_task_once(host: str) -> list[str]:
    """Start one user of each kind against ``host``, run each of its tasks once (in order,
    twice over so that later tasks have the cases earlier ones filed); the failures."""
    from locust.env import Environment

    failures: list[str] = []

    def on_request(request_type, name, exception=None, **_kw):
        if exception is not None:
            failures.append(f"{request_type} {name}: {exception}")

    environment = Environment(user_classes=USERS, host=host)
    environment.events.request.add_listener(on_request)
    _load_world(environment)
    for user_class in USERS:
        user_class.host = host
        user = user_class(environment)
        user.on_start()
        for _round in range(2):
            for method in dict.fromkeys(user.tasks):
                method(user)
    return failures


USERS = [Visitor, Applicant, Clerk, DepartmentSystem]

if __name__ == "__main__":
    import sys

    found = each_task_once(sys.argv[1])
    print(json.dumps(found, ensure_ascii=False))
    sys.exit(1 if found else 0)
