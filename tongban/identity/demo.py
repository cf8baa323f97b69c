"""Demo TOTP devices: every demo staff account (tongban.org.demo) gets one with the same
fixed, published secret, so the demo admin can be signed in to (the code comes from
``make totp`` / ``manage.py demo_totp``, or any authenticator app given the secret).

The secret is public, so these devices are as much demo data as the accounts: they exist
only on demo accounts, which production refuses to start with (``remove_demo_accounts``).
Idempotent: a second run leaves the devices as the first left them.
"""

from base64 import b32encode
from binascii import hexlify
from dataclasses import dataclass

from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.audit import services as audit
from tongban.identity.models import User
from tongban.org.demo import DEMO_STAFF

# 20 known bytes (the usual TOTP key length); DEMO_TOTP_SECRET is their base32 form, the one
# authenticator apps take: KRXW4Z3CMFXCAZDFNVXSAVCPKRICAMRW (README, demo accounts).
DEMO_TOTP_KEY = b"Tongban demo TOTP 26"
DEMO_TOTP_SECRET = b32encode(DEMO_TOTP_KEY).decode("ascii")
DEMO_DEVICE_NAME = "演示动态口令"
STEP = 30
DIGITS = 6


@dataclass(frozen=True)
class Summary:
    devices: int

    def __str__(self):
        return (
            f"演示工作人员动态验证码已就绪:{self.devices} 个账号"
            f"(演示密钥 {DEMO_TOTP_SECRET};当前验证码:make totp)。"
        )


def current_code() -> str:
    """The demo secret's code for this moment, as an authenticator app would show it."""
    return f"{totp(DEMO_TOTP_KEY, step=STEP, digits=DIGITS):0{DIGITS}d}"


def _demo_staff():
    usernames = [row[0] for row in DEMO_STAFF]
    return User.objects.filter(username__in=usernames, is_demo=True).order_by("username")


def is_loaded() -> bool:
    """Whether every demo staff account there is has its demo device."""
    accounts = _demo_staff()
    if not accounts.exists():
        return False
    with_device = accounts.filter(totpdevice__name=DEMO_DEVICE_NAME).distinct().count()
    return with_device == accounts.count()


@transaction.atomic
def load() -> Summary:
    key = hexlify(DEMO_TOTP_KEY).decode("ascii")
    count = 0
    for user in _demo_staff():
        TOTPDevice.objects.update_or_create(
            user=user,
            name=DEMO_DEVICE_NAME,
            defaults={"key": key, "step": STEP, "digits": DIGITS, "confirmed": True},
        )
        count += 1
    summary = Summary(count)
    audit.record("load_demo", "identity.demo.load", note=str(summary))
    return summary
