"""Person accounts: sign-in with a phone and an SMS code, or with a password once set.

A code is six digits sent through ``notify`` and stored only as an HMAC (``IDENTITY_CODE_KEY``)
under the phone's blind index: the phone itself is never kept with it. A code lives
``IDENTITY_CODE_MINUTES``; a phone gets a new one at most every
``IDENTITY_CODE_INTERVAL_SECONDS`` and ``IDENTITY_CODES_PER_DAY`` a day; ``MAX_ATTEMPTS``
wrong tries kill it. The first sign-in creates the account (real-name level L1). Wrong
passwords count towards the staff lock-out (``signin``), keyed by the phone's blind index so
the lock table holds no phone numbers. Staff never sign in here: they use /admin/ with TOTP.
"""

import base64
import datetime
import hmac
import secrets
from hashlib import sha256

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tongban.audit import services as audit
from tongban.catalog.formdefs import MOBILE
from tongban.core import clock
from tongban.core.pii import blind_index, mask, normalize
from tongban.errors import InvalidInput, PermissionDenied, RateLimited
from tongban.identity import signin, throttles
from tongban.identity.models import Level, PhoneCode, RealNameVerification, User

MAX_ATTEMPTS = 5
SMS_TEMPLATE = "identity.sms_code"
Purpose = PhoneCode.Purpose


def normalize_phone(phone: str) -> str:
    """The phone as 11 digits, or ``InvalidInput`` on the ``phone`` field."""
    value = normalize(phone or "", "phone")
    if not MOBILE.match(value):
        raise InvalidInput(
            fields={"phone": ["请填写11位手机号码,例如 13912345678 / a mainland mobile number"]}
        )
    return value


def phone_index(phone: str) -> str:
    return blind_index(normalize_phone(phone), "phone")


def person_by_phone(phone: str) -> User | None:
    return User.objects.filter(phone_hash=phone_index(phone)).first()


# Codes ----------------------------------------------------------------------------------


def send_code(phone: str, *, purpose: str = Purpose.SIGNIN, request=None) -> PhoneCode:
    """Send a new code to ``phone``; older open codes for the same purpose stop working."""
    phone = normalize_phone(phone)
    index = blind_index(phone, "phone")
    now = clock.now()
    _check_rate(index, now)
    throttles.code_requested(request)  # one address asking codes for many phones
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.IDENTITY_CODE_MINUTES
    with transaction.atomic():
        PhoneCode.objects.filter(phone_hash=index, purpose=purpose, used_at__isnull=True).update(
            used_at=now
        )
        row = PhoneCode.objects.create(
            phone_hash=index,
            purpose=purpose,
            code_hash=_digest(index, code),
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=minutes),
        )
        audit.record(
            None,
            "identity.code.send",
            row,
            changes={"phone": mask(phone, "phone"), "purpose": purpose},
            request=request,
        )
        from tongban.notify import services as notify

        notify.send(
            None,
            SMS_TEMPLATE,
            {"验证码": code, "分钟": str(minutes)},
            channels=["sms"],
            address=phone,
            urgent=True,
        )
    return row


def _check_rate(index: str, now: datetime.datetime) -> None:
    sent = PhoneCode.objects.filter(phone_hash=index)
    last = sent.order_by("-created_at").values_list("created_at", flat=True).first()
    interval = settings.IDENTITY_CODE_INTERVAL_SECONDS
    if last is not None and (now - last).total_seconds() < interval:
        wait = interval - int((now - last).total_seconds())
        raise RateLimited(
            wait,
            f"验证码发送过于频繁,请 {wait} 秒后再试",
            f"A code was sent moments ago; try again in {wait} s",
        )
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if sent.filter(created_at__gte=midnight).count() >= settings.IDENTITY_CODES_PER_DAY:
        wait = int((midnight + datetime.timedelta(days=1) - now).total_seconds())
        raise RateLimited(
            wait,
            "该手机号今日获取验证码次数已达上限,请明天再试",
            "This phone has had its codes for today; try again tomorrow",
        )


def check_code(phone: str, code: str, *, purpose: str = Purpose.SIGNIN) -> None:
    """Accept ``code`` once, or raise ``InvalidInput`` on the ``code`` field.

    A wrong code is counted even though the error rolls the caller back: the count is
    written in its own statement, guarded so that two wrong tries at once both count.
    """
    index = phone_index(phone)
    now = clock.now()
    row = (
        PhoneCode.objects.filter(
            phone_hash=index, purpose=purpose, used_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    if row is None or row.attempts >= MAX_ATTEMPTS:
        raise _code_error("验证码已失效,请重新获取", "The code has expired; ask for a new one")
    given = "".join(ch for ch in str(code or "") if ch.isdigit())
    if not hmac.compare_digest(row.code_hash, _digest(index, given)):
        _count_wrong(row, now)
        raise _wrong_code_error(row)
    used = PhoneCode.objects.filter(
        pk=row.pk, used_at__isnull=True, attempts__lt=MAX_ATTEMPTS
    ).update(used_at=now)
    if not used:
        raise _code_error("验证码已失效,请重新获取", "The code has expired; ask for a new one")


def _count_wrong(row: PhoneCode, now) -> None:
    PhoneCode.objects.filter(pk=row.pk, attempts__lt=MAX_ATTEMPTS).update(
        attempts=F("attempts") + 1
    )
    row.refresh_from_db(fields=["attempts"])
    if row.attempts >= MAX_ATTEMPTS:
        PhoneCode.objects.filter(pk=row.pk).update(used_at=now)


def _wrong_code_error(row: PhoneCode) -> InvalidInput:
    left = MAX_ATTEMPTS - row.attempts
    if left <= 0:
        return _code_error(
            "验证码错误次数过多,已失效,请重新获取", "Too many wrong tries; ask for a new code"
        )
    return _code_error(f"验证码错误,还可尝试 {left} 次", f"Wrong code; {left} tries left")


def _code_error(zh: str, en: str) -> InvalidInput:
    return InvalidInput(zh, en, fields={"code": [f"{zh} / {en}"]})


def _digest(index: str, code: str) -> str:
    key = settings.IDENTITY_CODE_KEY
    if not key:
        raise ImproperlyConfigured("IDENTITY_CODE_KEY must be set (docs/operations.md)")
    return hmac.new(base64.b64decode(key), f"{index}:{code}".encode(), sha256).hexdigest()


# Sign-in --------------------------------------------------------------------------------


def sign_in_with_code(phone: str, code: str, *, request=None) -> User:
    """The person whose phone this is, created at the first sign-in (level L1)."""
    phone = normalize_phone(phone)
    throttles.SIGN_IN.refuse_if_blocked(request)
    try:
        check_code(phone, code)
    except InvalidInput:
        throttles.SIGN_IN.failed(request)
        raise
    with transaction.atomic():
        user = User.objects.select_for_update().filter(phone_hash=phone_index(phone)).first()
        if user is None:
            return _create_person(phone, request=request)
        _refuse_staff_or_inactive(user)
        if user.real_name_level < Level.L1:
            _raise_level(user, Level.L1, RealNameVerification.Method.SMS, request=request)
    return user


def sign_in_with_password(phone: str, password: str, *, request=None) -> User:
    """A person who has set a password; failures lock the phone like a staff username."""
    throttles.SIGN_IN.refuse_if_blocked(request)
    key = phone_index(phone)
    if signin.is_locked(key):
        raise _locked_error(signin.locked_until(key))
    user = User.objects.filter(phone_hash=key, kind=User.Kind.PERSON).first()
    if user is None or not user.has_usable_password() or not user.check_password(password):
        until = signin.record_failure(key, request=request)
        if until is not None:
            raise _locked_error(until)
        raise InvalidInput(
            "手机号或密码错误", "Wrong phone or password", fields={"password": ["手机号或密码错误"]}
        )
    _refuse_staff_or_inactive(user)
    signin.reset(key, request=request)
    return user


def set_password(user: User, password: str, *, request=None) -> None:
    """Set (or change) the optional password of a person signed in by SMS code."""
    if user.kind != User.Kind.PERSON:
        raise PermissionDenied("工作人员请在管理后台修改密码", "Staff change passwords in /admin/")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(fields={"password": list(error.messages)}) from error
    with transaction.atomic():
        had = user.has_usable_password()
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(
            user,
            "identity.user.set_password",
            user,
            changes={"password": ["***" if had else None, "***"]},
            request=request,
        )


def _create_person(phone: str, *, request=None) -> User:
    user = User(username=new_username(), kind=User.Kind.PERSON, phone=phone)
    user.set_unusable_password()
    user.save()
    audit.record(
        user,
        "identity.user.create",
        user,
        changes={"phone": mask(phone, "phone"), "kind": user.kind},
        note="first sign-in by SMS code",
        request=request,
    )
    _raise_level(user, Level.L1, RealNameVerification.Method.SMS, request=request)
    return user


def _raise_level(user: User, level: int, method: str, *, request=None) -> None:
    before = user.real_name_level
    user.real_name_level = level
    user.save(update_fields=["real_name_level"])
    RealNameVerification.objects.create(user=user, level=level, method=method)
    audit.record(
        user,
        "identity.realname.raise",
        user,
        changes={"real_name_level": [before, level], "method": method},
        request=request,
    )


def new_username() -> str:
    """``u`` + 10 random hex digits: never derived from the phone."""
    while True:
        name = f"u{secrets.token_hex(5)}"
        if not User.objects.filter(username=name).exists():
            return name


def _refuse_staff_or_inactive(user: User) -> None:
    if user.kind != User.Kind.PERSON or user.is_staff:
        raise PermissionDenied(
            "工作人员账号请从管理后台登录(需动态验证码)", "Staff sign in at /admin/ with TOTP"
        )
    if not user.is_active:
        raise PermissionDenied("该账号已停用", "This account is disabled")


def _locked_error(until) -> PermissionDenied:
    when = timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
    error = PermissionDenied(
        f"连续 {signin.LOCKOUT_THRESHOLD} 次密码错误,已锁定至 {when},可改用短信验证码登录",
        f"Locked until {when} after repeated failures; sign in with an SMS code instead",
    )
    error.code = "locked"
    return error
