"""Real-name levels (实名等级) and how an account reaches them.

- L1: the phone is verified (the first sign-in by SMS code, ``accounts``);
- L2: name and ID number match the population base (``verify_online``), at most
  ``IDENTITY_REALNAME_ATTEMPTS_PER_DAY`` tries a day, so the base cannot be used as an oracle;
- L3: verified in person with the ID card, by a clerk at a window (``verify_in_person``) or at a
  self-service kiosk (``verify_at_kiosk``); the clerk, window or kiosk are recorded.

A service requires a level with ``require_level(user, Level.L2)`` (403 with a Chinese message)
and a view with ``@level_required(Level.L2)``. Audit records carry masked ID numbers only.
"""

import datetime
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from tongban.audit import services as audit
from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.core.pii import blind_index, mask
from tongban.errors import Conflict, InvalidInput, PermissionDenied, RateLimited
from tongban.identity import access
from tongban.identity.models import Level, RealNameVerification, User
from tongban.registry import services as registry

Method = RealNameVerification.Method
CHECK_ACTION = "identity.realname.check"
# Two-character surnames, so that 欧阳修 is 欧阳 + 修 (the rest take the first character).
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 令狐 慕容 尉迟 公孙 长孙 宇文 司徒 夏侯 轩辕 端木 独孤 "  # noqa: SIM905
    "南宫 西门 百里 呼延 申屠 太史 钟离 闻人 赫连 澹台 公冶 宗政 濮阳 淳于 单于 万俟".split()
)


class LevelRequired(PermissionDenied):
    """The account's real-name level is below what the service requires (403)."""

    code = "level_required"

    def __init__(self, required: int, current: int):
        self.required, self.current = int(required), int(current)
        super().__init__(
            f"此项服务需要实名等级 L{self.required}({Level(self.required).label}),"
            f"您当前为 L{self.current}。请先完成实名认证。",
            f"This service needs real-name level L{self.required}; yours is L{self.current}",
        )


def level_of(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return Level.L0
    return int(user.real_name_level)


def require_level(user, level: int) -> None:
    """Raise ``LevelRequired`` unless ``user`` has reached ``level``."""
    if level_of(user) < level:
        raise LevelRequired(level, level_of(user))


def level_required(level: int):
    """A view decorator: sign in first, then reach ``level`` (L2 online, L3 in person)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if level_of(request.user) < level:
                target = reverse("identity:realname")
                return redirect(f"{target}?required={int(level)}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def split_name(name: str) -> tuple[str, str]:
    """(family name, given name) of a Chinese name."""
    name = str(name).strip()
    surname_length = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:surname_length], name[surname_length:]


# L2 -------------------------------------------------------------------------------------


def attempts_today(user) -> int:
    midnight = timezone.localtime(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return AuditRecord.objects.filter(
        object_type=User._meta.label_lower,
        object_id=str(user.pk),
        action=CHECK_ACTION,
        at__gte=midnight,
    ).count()


def verify_online(user: User, *, name: str, id_number: str, request=None) -> User:
    """Raise ``user`` to L2 when name and ID number match the population base.

    Every outcome is audited (ID number masked) and counts towards the daily limit; a
    failure changes nothing on the account and raises with the registry's Chinese message.
    """
    _require_person(user)
    require_level(user, Level.L1)
    if user.real_name_level >= Level.L2:
        raise Conflict("您已完成实名认证", "You are already verified")
    _check_daily_limit(user)
    number = registry.normalize_id_number(id_number or "")
    result = registry.verify_person(name, number)
    if not result.ok:
        _record_check(user, number, result.code, request=request)
        field = "name" if result.code == "name_mismatch" else "id_number"
        raise InvalidInput(result.message, fields={field: [result.message]})
    _refuse_bound_elsewhere(user, number, request=request)
    with transaction.atomic():
        _bind(user, result.person, Level.L2)
        RealNameVerification.objects.create(user=user, level=Level.L2, method=Method.REGISTRY)
        _record_check(user, number, result.code, level=(Level.L1, Level.L2), request=request)
    return user


def _check_daily_limit(user) -> None:
    if attempts_today(user) < settings.IDENTITY_REALNAME_ATTEMPTS_PER_DAY:
        return
    now = timezone.localtime(clock.now())
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0) + datetime.timedelta(days=1)
    raise RateLimited(
        int((midnight - now).total_seconds()),
        "今日实名认证尝试次数已达上限,请明天再试,或携带身份证到窗口办理",
        "Too many real-name attempts today; try tomorrow or visit a window",
    )


# L3 -------------------------------------------------------------------------------------


def verify_in_person(user: User, *, by, window, id_number: str, name: str, request=None) -> User:
    """A clerk at ``window`` has seen the ID card: raise ``user`` to L3."""
    access.require(by, "identity.verify_in_person", window)
    return _verify_card(
        user,
        id_number=id_number,
        name=name,
        method=Method.WINDOW,
        record={"verified_by": by, "window": window},
        actor=by,
        note=f"窗口 {window}",
        request=request,
    )


def register_at_window(*, phone: str, id_number: str, name: str, by, window, request=None) -> User:
    """A walk-in applicant without an account (帮办 at a window): the clerk has seen the ID card,
    so the account is opened for the phone they give and raised to L3 at once, in one
    transaction; a wrong name or number opens nothing. An account already holding this phone
    is verified instead of opening a second one."""
    from tongban.identity import accounts

    access.require(by, "identity.verify_in_person", window)
    phone = accounts.normalize_phone(phone)
    with transaction.atomic():
        user = accounts.person_by_phone(phone) or _open_account(phone, by=by, request=request)
        return verify_in_person(
            user, by=by, window=window, id_number=id_number, name=name, request=request
        )


def _open_account(phone: str, *, by, request=None) -> User:
    from tongban.identity import accounts

    user = User(username=accounts.new_username(), kind=User.Kind.PERSON, phone=phone)
    user.set_unusable_password()
    user.save()
    audit.record(
        by,
        "identity.user.create",
        user,
        changes={"phone": mask(phone, "phone"), "kind": user.kind},
        note="opened at a window for a walk-in applicant",
        request=request,
    )
    return user


def verify_at_kiosk(user: User, *, kiosk: str, id_number: str, name: str, actor=None) -> User:
    """A self-service kiosk has read the ID card: raise ``user`` to L3."""
    kiosk = str(kiosk or "").strip()[:64]
    if not kiosk:
        raise InvalidInput(fields={"kiosk": ["请提供自助终端编号 / kiosk id is required"]})
    return _verify_card(
        user,
        id_number=id_number,
        name=name,
        method=Method.KIOSK,
        record={"kiosk": kiosk},
        actor=actor or f"kiosk:{kiosk}",
        note=f"自助终端 {kiosk}",
    )


def _verify_card(user, *, id_number, name, method, record, actor, note, request=None) -> User:
    _require_person(user)
    number = registry.normalize_id_number(id_number or "")
    result = registry.verify_person(name, number)
    if not result.ok:
        _record_check(user, number, result.code, actor=actor, note=note, request=request)
        field = "name" if result.code == "name_mismatch" else "id_number"
        raise InvalidInput(result.message, fields={field: [result.message]})
    if user.id_number and user.id_number_hash != blind_index(number, "id_number"):
        raise Conflict(
            "身份证号码与该账号已认证的号码不一致", "The ID number differs from the account's"
        )
    _refuse_bound_elsewhere(user, number, actor=actor, request=request)
    with transaction.atomic():
        before = user.real_name_level
        _bind(user, result.person, max(Level.L3, before))
        RealNameVerification.objects.create(user=user, level=Level.L3, method=method, **record)
        _record_check(
            user,
            number,
            result.code,
            level=(before, user.real_name_level),
            actor=actor,
            note=note,
            request=request,
        )
    return user


# Shared ---------------------------------------------------------------------------------


def _require_person(user) -> None:
    if getattr(user, "kind", None) != User.Kind.PERSON:
        raise PermissionDenied("只有个人账号可以进行实名认证", "Only person accounts are verified")


def _refuse_bound_elsewhere(user, number: str, *, actor=None, request=None) -> None:
    index = blind_index(number, "id_number")
    if User.objects.filter(id_number_hash=index).exclude(pk=user.pk).exists():
        _record_check(user, number, "bound_elsewhere", actor=actor, request=request)
        raise Conflict(
            "该身份证号码已绑定其他账号,如有疑问请携带身份证到窗口办理",
            "This ID number belongs to another account",
            fields={"id_number": ["该身份证号码已绑定其他账号 / bound to another account"]},
        )


def _bind(user: User, person, level: int) -> None:
    user.id_number = str(person.id_number)
    user.last_name, user.first_name = split_name(person.name)
    user.real_name_level = level
    user.save(
        update_fields=["id_number", "id_number_hash", "last_name", "first_name", "real_name_level"]
    )


def _record_check(user, number, outcome, *, level=None, actor=None, note="", request=None):
    """One audit record per attempt: the outcome and the masked number, never the number."""
    changes = {"outcome": outcome, "id_number": mask(number, "id_number")}
    if level is not None:
        changes["real_name_level"] = [int(level[0]), int(level[1])]
    audit.record(actor or user, CHECK_ACTION, user, changes=changes, note=note, request=request)
