"""Single sign-on and access control, on a throwaway test database.

    .venv/bin/python -m bench.identity_bench [--logins 100] [--calls 2000]

The hot paths of identity: a department system signing a person in (authorize with a
remembered consent → code → token exchange with PKCE and ID-token signing), its userinfo
and API calls with the person's access token, and the per-request access decisions
(``access.can``, ``access.scope``, the acting enterprise). Through Django's test client, so
the whole request path runs except the network. Prints figures, asserts nothing.
"""

import argparse
import base64
import hashlib
import secrets
import time
from urllib.parse import parse_qs, urlparse

from bench.support import latencies, rate, throwaway_database

REDIRECT_URI = "http://dept.example/callback"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins", type=int, default=100)
    parser.add_argument("--calls", type=int, default=2_000)
    args = parser.parse_args()
    with throwaway_database():
        from django.test import Client

        from tongban.identity.models import Consent, Level, User
        from tongban.identity.oidc import clients

        person = User.objects.create(
            username="bench", phone="13912345678", real_name_level=Level.L2, last_name="王"
        )
        app, secret = clients.register("基准测试系统", [REDIRECT_URI])
        Consent.objects.create(user=person, client=app, scopes="openid profile realname")
        browser = Client()
        browser.force_login(person)
        department_system = Client()

        samples, tokens = [], []
        for _ in range(args.logins):
            started = time.perf_counter()
            tokens.append(_sign_in(browser, department_system, app, secret))
            samples.append((time.perf_counter() - started) * 1000)
        latencies(f"sign-in: authorize + token ({args.logins})", samples)

        bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens[-1]}"}
        _timed(f"userinfo ({args.calls})", args.calls, "/oidc/userinfo/", bearer)
        _timed(
            f"GET /api/v1/identity/me, bearer ({args.calls})",
            args.calls,
            "/api/v1/identity/me",
            bearer,
        )
        _access(person, args.calls * 10)


def _sign_in(browser, department_system, app, secret) -> str:
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    answer = browser.get(
        "/oidc/authorize/",
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile realname",
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    code = parse_qs(urlparse(answer["Location"]).query)["code"][0]
    token = department_system.post(
        "/oidc/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": app.client_id,
            "client_secret": secret,
            "code_verifier": verifier,
        },
    )
    return token.json()["access_token"]


def _timed(label: str, count: int, path: str, headers: dict) -> None:
    from django.test import Client

    caller = Client()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        caller.get(path, **headers)
        samples.append((time.perf_counter() - started) * 1000)
    latencies(label, samples)


def _access(person, count: int) -> None:
    """Per-request decisions for a department administrator over the demo county's windows."""
    from tongban.identity import access
    from tongban.identity.models import User
    from tongban.org import demo
    from tongban.org.models import Window

    demo.load()
    admin = User.objects.get(username="dept_admin")
    department = admin.memberships.get().department
    windows = list(Window.objects.all())
    own = Window.objects.create(
        center=windows[0].center,
        number="B99",
        name="基准窗口",
        window_type=Window.Type.CONSULTATION,
        department=department,
    )
    rate(
        f"access.can org.change_window ({len(windows)} windows)",
        count,
        lambda: [access.can(admin, "org.change_window", own) for _ in range(count)],
    )
    rounds = max(1, count // 100)
    rate(
        "access.scope org.change_window, evaluated",
        rounds,
        lambda: [
            list(access.scope(admin, "org.change_window", Window.objects.all()))
            for _ in range(rounds)
        ],
    )
    rate(
        "access.can registry.view_person_space (own)",
        count,
        lambda: [access.can(person, "registry.view_person_space", person) for _ in range(count)],
    )


if __name__ == "__main__":
    main()
