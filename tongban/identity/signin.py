"""Staff sign-in: lock-out after repeated failures, and the TOTP device a sign-in needs.

Every failed attempt for a username (wrong password through Django's ``user_login_failed``
signal, wrong code through the login form) is counted; the ``LOCKOUT_THRESHOLD``-th failure
in a row locks the username for ``settings.IDENTITY_LOCKOUT_MINUTES``. While locked, even the
right password and code are refused. A successful sign-in resets the count. Every lock and
unlock is written to the audit log. Time comes from ``tongban.core.clock``.
"""

import datetime

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongban.audit import services as audit
from tongban.core import clock
from tongban.identity import throttles
from tongban.identity.models import SignInFailure, User

LOCKOUT_THRESHOLD = 5
USERNAME_MAX = SignInFailure._meta.get_field("username").max_length


def lockout_minutes() -> int:
    return settings.IDENTITY_LOCKOUT_MINUTES


def locked_until(username: str) -> datetime.datetime | None:
    """When the username's lock ends, or ``None`` when it is not locked now."""
    until = (
        SignInFailure.objects.filter(username=_key(username))
        .values_list("locked_until", flat=True)
        .first()
    )
    if until is not None and until > clock.now():
        return until
    return None


def is_locked(username: str) -> bool:
    return locked_until(username) is not None


def record_failure(username: str, *, request=None) -> datetime.datetime | None:
    """Count one failed attempt; return the end of the lock if the username is now locked.

    Attempts while locked are refused before they are checked and do not extend the lock.
    The failure also counts against the request's address (``throttles``).
    """
    throttles.SIGN_IN.failed(request)
    key = _key(username)
    if not key:
        return None
    now = clock.now()
    with transaction.atomic():
        row, _created = SignInFailure.objects.select_for_update().get_or_create(username=key)
        if row.locked_until is not None:
            if row.locked_until > now:
                return row.locked_until
            _unlock(row, note="lock expired", request=request)
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= LOCKOUT_THRESHOLD:
            row.locked_until = now + datetime.timedelta(minutes=lockout_minutes())
            _audit(
                "identity.signin.lock",
                row,
                changes={"locked_until": [None, row.locked_until]},
                note=f"{row.failures} failed sign-in attempts in a row",
                request=request,
            )
        row.save()
        return row.locked_until


def reset(username: str, *, by=None, request=None) -> None:
    """Forget the username's failures (a successful sign-in, or an administrator's unlock)."""
    key = _key(username)
    with transaction.atomic():
        row = SignInFailure.objects.select_for_update().filter(username=key).first()
        if row is None:
            return
        if row.locked_until is not None:
            still_locked = row.locked_until > clock.now()
            _unlock(
                row,
                by=by,
                note="unlocked by an administrator" if still_locked else "lock expired",
                request=request,
            )
        row.delete()


def totp_device(user) -> TOTPDevice | None:
    """The user's confirmed TOTP device (the first, if an administrator enrolled several)."""
    if user is None or not user.pk:
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


@receiver(user_login_failed, dispatch_uid="identity.signin.failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get(User.USERNAME_FIELD) or credentials.get("username")
    if username:
        record_failure(str(username), request=request)


@receiver(user_logged_in, dispatch_uid="identity.signin.succeeded")
def _on_logged_in(sender, request, user, **kwargs):
    reset(user.get_username(), request=request)


def _key(username) -> str:
    return str(username or "").strip()[:USERNAME_MAX]


def _unlock(row: SignInFailure, *, by=None, note: str, request=None) -> None:
    _audit(
        "identity.signin.unlock",
        row,
        by=by,
        changes={"locked_until": [row.locked_until, None]},
        note=note,
        request=request,
    )
    row.failures = 0
    row.locked_until = None


def _audit(action, row, *, by=None, changes, note, request=None):
    """Recorded against the account when one has the username, else against the row."""
    user = User.objects.filter(username=row.username).first()
    if row.pk is None:
        row.save()
    audit.record(
        by,
        action,
        user or row,
        changes=changes,
        note=note,
        object_repr=row.username,
        request=request,
    )
