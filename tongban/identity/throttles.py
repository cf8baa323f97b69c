"""Failure limits per client address, on top of the per-username and per-phone ones.

The lock-out in ``signin`` stops guessing one account's password; it does not stop one
address trying a few passwords on many accounts, asking SMS codes for many phones, guessing
OIDC client secrets or codes, or signing gateway requests with wrong keys. Each such door
counts the failures of an address in a window of ``IDENTITY_ADDRESS_WINDOW_SECONDS``; past
``IDENTITY_FAILURES_PER_ADDRESS`` the address may not try that door again until the window
ends (429 with Retry-After). The failure that blocks an address is written to the audit log
(``<door>.address_block``). An address may also ask ``IDENTITY_CODES_PER_ADDRESS`` SMS codes
an hour. Counters live in the shared cache (``tongban.core.throttle``): set REDIS_URL with
more than one process.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from tongban.audit import services as audit
from tongban.core import throttle
from tongban.errors import RateLimited

CODES = "identity.code.address"
CODE_WINDOW_SECONDS = 3600


def address(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _window() -> int:
    return settings.IDENTITY_ADDRESS_WINDOW_SECONDS


@dataclass(frozen=True)
class Door:
    """Where failures are counted (``scope``), what is audited, what the refusal says."""

    scope: str
    message: str
    message_en: str

    def blocked(self, request) -> int | None:
        """Seconds until the address may try again, or ``None`` when it may now."""
        who = address(request)
        if who is None:
            return None
        tried = throttle.used(self.scope, who, window_seconds=_window())
        if tried < settings.IDENTITY_FAILURES_PER_ADDRESS:
            return None
        return throttle.retry_after(_window())

    def refuse_if_blocked(self, request) -> None:
        wait = self.blocked(request)
        if wait is not None:
            raise RateLimited(wait, self.message, self.message_en)

    def failed(self, request) -> None:
        """Count one failure from the request's address; audit the one that blocks it."""
        who = address(request)
        if who is None:
            return
        allowed = settings.IDENTITY_FAILURES_PER_ADDRESS
        try:
            throttle.count(
                self.scope,
                who,
                allowed=allowed - 1,
                window_seconds=_window(),
                message="",
                message_en="",
            )
        except RateLimited:
            if throttle.used(self.scope, who, window_seconds=_window()) == allowed:
                self._audit(request, who, allowed)

    def _audit(self, request, who: str, allowed: int) -> None:
        with transaction.atomic():
            audit.record(
                None,
                f"{self.scope.rsplit('.', 1)[0]}.address_block",
                object_type="address",
                object_id=who,
                object_repr=who,
                changes={"failures": allowed, "window_seconds": _window()},
                note=f"{allowed} failures from one address ({self.scope})",
                request=request,
            )


SIGN_IN = Door(
    "identity.signin.failures",
    "该网络地址登录失败次数过多,请稍后再试",
    "Too many failed sign-ins from this address; try again later",
)
OIDC_TOKEN = Door(
    "identity.oidc.failures",
    "该网络地址令牌请求失败次数过多,请稍后再试",
    "Too many failed token requests from this address; try again later",
)
GATEWAY = Door(
    "gateway.auth.failures",
    "该网络地址接口认证失败次数过多,请稍后再试",
    "Too many failed API authentications from this address; try again later",
)


def code_requested(request) -> None:
    """Count one SMS code asked from the request's address (``RateLimited`` past the limit)."""
    who = address(request)
    if who is None:
        return
    throttle.count(
        CODES,
        who,
        allowed=settings.IDENTITY_CODES_PER_ADDRESS,
        window_seconds=CODE_WINDOW_SECONDS,
        message="该网络地址获取验证码次数过多,请稍后再试",
        message_en="Too many codes asked from this address; try again later",
    )
