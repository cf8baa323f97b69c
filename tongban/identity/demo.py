"""Demo TOTP devices: every demo staff account (tongban.org.demo) gets one with the same
fixed, published secret, so the demo admin can be signed in to (the code comes from
``make totp`` / ``manage.py demo_totp``, or any authenticator app given the secret).

The secret is public, so these devices are as much demo data as the accounts: they exist
only on demo accounts, which production refuses to start with (``remove_demo_accounts``).

Demo persons (``DEMO_PERSONS``): accounts at real-name levels L1, L2 and L3, linked to people
of the registry demo (loaded first when missing), with fixed demo phones; the L3 person is
the legal representative of a demo enterprise whose account has one agent. They sign in at
/login/ with the SMS code from the sandbox, or with the demo password.

Idempotent: a second run leaves the devices and accounts as the first left them.
"""

import datetime
from base64 import b32encode
from binascii import hexlify
from dataclasses import dataclass, field

from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.audit import services as audit
from tongban.core import clock
from tongban.core.pii import mask
from tongban.identity.models import Agent, EnterpriseAccount, Level, RealNameVerification, User
from tongban.org.demo import COUNTY_CENTER_CODE, DEMO_PASSWORD, DEMO_STAFF

# 20 known bytes (the usual TOTP key length); DEMO_TOTP_SECRET is their base32 form, the one
# authenticator apps take: KRXW4Z3CMFXCAZDFNVXSAVCPKRICAMRW (README, demo accounts).
DEMO_TOTP_KEY = b"Tongban demo TOTP 26"
DEMO_TOTP_SECRET = b32encode(DEMO_TOTP_KEY).decode("ascii")
DEMO_DEVICE_NAME = "演示动态口令"
STEP = 30
DIGITS = 6


# (username, phone, level); the phones are fixed demo numbers, not the registry's.
DEMO_PERSONS = (
    ("demo_l1", "13800000001", Level.L1),
    ("demo_l2", "13800000002", Level.L2),
    ("demo_rep", "13800000003", Level.L3),
    ("demo_agent", "13800000004", Level.L2),
)
AGENT_SCOPES = [Agent.Scope.APPLY, Agent.Scope.VIEW]


@dataclass(frozen=True)
class Summary:
    devices: int
    persons: list[tuple[str, str, int, str]] = field(default_factory=list)
    enterprise: str = ""

    def __str__(self):
        lines = [
            f"演示工作人员动态验证码已就绪:{self.devices} 个账号"
            f"(演示密钥 {DEMO_TOTP_SECRET};当前验证码:make totp)。"
        ]
        if self.persons:
            lines.append("演示个人账号(/login/,短信验证码见短信沙箱,或密码 Tongban@2026):")
            lines += [f"  {p} {u} L{lv} {n}" for u, p, lv, n in self.persons]
        if self.enterprise:
            lines.append(f"演示法人账号:{self.enterprise}(法定代表人 demo_rep,经办人 demo_agent)")
        return "\n".join(lines)

    def masked(self) -> str:
        """For the audit log: no phone numbers."""
        people = ", ".join(f"{u} {mask(p, 'phone')} L{lv}" for u, p, lv, _n in self.persons)
        return f"TOTP devices {self.devices}; persons: {people}; enterprise: {self.enterprise}"


def current_code() -> str:
    """The demo secret's code for this moment, as an authenticator app would show it."""
    return f"{totp(DEMO_TOTP_KEY, step=STEP, digits=DIGITS):0{DIGITS}d}"


def _demo_staff():
    usernames = [row[0] for row in DEMO_STAFF]
    return User.objects.filter(username__in=usernames, is_demo=True).order_by("username")


def is_loaded() -> bool:
    """Whether every demo staff account there is has its demo device, and the demo persons
    exist."""
    accounts = _demo_staff()
    if not accounts.exists():
        return False
    with_device = accounts.filter(totpdevice__name=DEMO_DEVICE_NAME).distinct().count()
    usernames = [row[0] for row in DEMO_PERSONS]
    persons = User.objects.filter(username__in=usernames, is_demo=True).count()
    return with_device == accounts.count() and persons == len(usernames)


def load() -> Summary:
    from tongban.registry import demo as registry_demo

    if not registry_demo.is_loaded():
        registry_demo.load()
    with transaction.atomic():
        devices = _load_devices()
        persons, enterprise = _load_persons()
        summary = Summary(devices, persons, enterprise)
        audit.record("load_demo", "identity.demo.load", note=summary.masked())
    return summary


def _load_devices() -> int:
    key = hexlify(DEMO_TOTP_KEY).decode("ascii")
    count = 0
    for user in _demo_staff():
        TOTPDevice.objects.update_or_create(
            user=user,
            name=DEMO_DEVICE_NAME,
            defaults={"key": key, "step": STEP, "digits": DIGITS, "confirmed": True},
        )
        count += 1
    return count


def _load_persons():
    """The demo persons and the demo enterprise; accounts already there are left alone."""
    from tongban.registry import services as registry
    from tongban.registry.models import LegalEntity, Person

    entity = (
        LegalEntity.objects.filter(
            is_demo=True,
            entity_type=LegalEntity.Type.ENTERPRISE,
            status=LegalEntity.Status.ACTIVE,
        )
        .order_by("uscc")
        .first()
    )
    rep = registry.find_person(str(entity.legal_rep_id_number)) if entity else None
    others = Person.objects.filter(is_demo=True, birth_date__year__lte=2000).order_by("pk")
    if rep is not None:
        others = others.exclude(pk=rep.pk)
    people = {"demo_l1": None, "demo_rep": rep}
    people["demo_l2"], people["demo_agent"] = list(others[:2]) + [None] * (2 - others[:2].count())
    found = []
    for username, phone, level in DEMO_PERSONS:
        user = _demo_person(username, phone, level, people[username])
        found.append((username, phone, user.real_name_level, user.get_full_name()))
    name = _demo_enterprise(entity) if entity is not None and rep is not None else ""
    return found, name


def _demo_person(username, phone, level, person) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User(username=username, kind=User.Kind.PERSON, phone=phone, is_demo=True)
    user.set_password(DEMO_PASSWORD)
    if person is None:
        level = Level.L1
    else:
        from tongban.identity.realname import split_name

        user.id_number = str(person.id_number)
        user.last_name, user.first_name = split_name(person.name)
    user.real_name_level = level
    user.save()
    for step in range(Level.L1, level + 1):
        RealNameVerification.objects.create(user=user, level=step, **_how(step))
    return user


def _how(level: int) -> dict:
    Method = RealNameVerification.Method
    if level == Level.L1:
        return {"method": Method.SMS}
    if level == Level.L2:
        return {"method": Method.REGISTRY}
    from tongban.org.models import Window

    clerk = User.objects.filter(username="clerk", is_demo=True).first()
    window = Window.objects.filter(center__statistical_code=COUNTY_CENTER_CODE, number="A01")
    return {
        "method": Method.WINDOW,
        "verified_by": clerk,
        "window": window.first(),
        "note": "演示数据",
    }


def _demo_enterprise(entity) -> str:
    rep = User.objects.get(username="demo_rep")
    account, _created = EnterpriseAccount.objects.get_or_create(
        legal_entity=entity, defaults={"legal_rep": rep}
    )
    agent = User.objects.get(username="demo_agent")
    if agent.real_name_level >= Level.L2 and not account.agents.filter(user=agent).exists():
        Agent.objects.create(
            enterprise=account,
            user=agent,
            scopes=AGENT_SCOPES,
            expires_on=clock.today() + datetime.timedelta(days=365),
            granted_by=rep,
        )
    return f"{entity.name}({entity.uscc})"
