"""Accounts and an API client for the stack, created through the apps' own services.

Runs in the stack's production environment after the demo county (departments, items,
guides, registry) was loaded and its demo accounts removed: production refuses demo
accounts, so the load and fault tests get accounts of their own, with generated passwords
and TOTP keys, written to ``state.json`` only. Prints the credentials as one JSON line.

    manage.py shell -c "import proof._seed; proof._seed.main()"
"""

import json
import secrets
from base64 import b32encode

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.identity.models import Level, RealNameVerification, User
from tongban.identity.realname import split_name

ACTOR = "proof.stack"
PERSONS = 200
PHONE_PREFIX = "1390000"  # 13900000000 … : numbers of the stack's own test persons


def _staff_rows():
    from tongban.org.demo import DEMO_STAFF

    return [row for row in DEMO_STAFF if row[2] is not None]


def _password() -> str:
    return "Pf-" + secrets.token_urlsafe(12)


def _staff(username, name, role, department_code, center_code, window_number) -> dict:
    from tongban.org import services as org
    from tongban.org.models import Department, ServiceCenter, Window

    password, key = _password(), secrets.token_bytes(20)
    user = User(username=f"proof_{username}", kind=User.Kind.STAFF, is_staff=True)
    user.first_name = name.replace("(演示)", "(压测)")
    user.set_password(password)
    user.save()
    TOTPDevice.objects.create(user=user, name="压测动态口令", key=key.hex(), confirmed=True)
    center = ServiceCenter.objects.get(statistical_code=center_code) if center_code else None
    window = Window.objects.get(center=center, number=window_number) if window_number else None
    org.grant_role(
        user,
        department=Department.objects.get(code=department_code),
        role=role,
        center=center,
        window=window,
        by=ACTOR,
    )
    return {
        "username": user.username,
        "password": password,
        "totp_secret": b32encode(key).decode("ascii"),
        "role": str(role),
        "department": department_code,
    }


def _persons() -> list[dict]:
    from tongban.registry.models import Person

    people = Person.objects.filter(is_demo=True, birth_date__year__lte=2000).order_by("pk")
    found = []
    taken = {str(user.id_number) for user in User.objects.filter(id_number_hash__isnull=False)}
    for number, person in enumerate(people[: PERSONS + len(taken)]):
        if str(person.id_number) in taken or len(found) == PERSONS:
            continue  # a (retired) demo account holds this person's ID number
        phone, password = f"{PHONE_PREFIX}{number:04d}", _password()
        user = User(username=f"proof_p{number:04d}", kind=User.Kind.PERSON, phone=phone)
        user.set_password(password)
        user.id_number = str(person.id_number)
        user.last_name, user.first_name = split_name(person.name)
        user.real_name_level = Level.L2
        user.save()
        RealNameVerification.objects.create(
            user=user, level=Level.L1, method=RealNameVerification.Method.SMS
        )
        RealNameVerification.objects.create(
            user=user, level=Level.L2, method=RealNameVerification.Method.REGISTRY
        )
        found.append({"username": user.username, "phone": phone, "password": password})
    return found


def _gateway_client() -> dict:
    from tongban.gateway import services as gateway
    from tongban.gateway.scopes import SCOPES

    client = gateway.create_client(
        ACTOR,
        name="压测接入系统",
        scopes=list(SCOPES),
        department_codes=["*"],
        max_sensitivity=3,
        rate_limit=1_000_000,
    )
    issued = gateway.issue_key(ACTOR, client)
    return {"key_id": issued.key.key_id, "secret": issued.secret, "scopes": client.scopes}


def main() -> None:
    with transaction.atomic():
        credentials = {
            "staff": [_staff(*row) for row in _staff_rows()],
            "persons": _persons(),
            "gateway": _gateway_client(),
        }
    print(json.dumps(credentials, ensure_ascii=False))
