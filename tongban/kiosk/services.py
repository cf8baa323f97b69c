"""The kiosk's rules: which browser is a terminal, signing a person in by the ID card on the
terminal's reader, ending the session, and what the kiosk can offer to apply for.

A kiosk session is an ordinary person session marked with the terminal's code and limited to
``KIOSK_IDLE_SECONDS`` of inactivity (the browser ends it too, ``static/kiosk/kiosk.js``).
Signing in by card needs no password: the physical ID card on an enrolled terminal is the
proof. It raises no real-name level (``identity.realname.verify_at_kiosk`` does that, with
the person's SMS code): the account keeps the level it has.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import login, logout
from django.core import signing
from django.db import transaction

from tongban.audit import services as audit
from tongban.catalog.models import Guide, MaterialSpec, ServiceItem
from tongban.core.pii import blind_index, mask
from tongban.identity import access
from tongban.identity.models import User
from tongban.kiosk.models import KioskTerminal
from tongban.kiosk.providers import registry
from tongban.kiosk.providers.base import ReaderError
from tongban.registry import services as population

COOKIE = "tb_kiosk"
SALT = "tongban.kiosk.terminal"
SESSION_KEY = "kiosk_terminal"
BACKEND = settings.AUTHENTICATION_BACKENDS[0]
# Field types the kiosk fills without a keyboard: option buttons, a tick, the numeric pad.
CHOICES = frozenset({"select", "multiselect"})
NUMPAD = frozenset({"number", "phone", "date"})
MENU_SIZE = 8


# --- terminals ------------------------------------------------------------------------------


def terminal_from_cookie(value: str | None) -> KioskTerminal | None:
    """The active terminal a signed enrolment cookie names (one query), else ``None``."""
    if not value:
        return None
    try:
        code = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    return KioskTerminal.objects.filter(code=code, is_active=True).select_related("center").first()


def enroll(response, terminal: KioskTerminal, *, by, request=None) -> None:
    """Mark the browser answering with ``response`` as ``terminal`` (long-lived, HttpOnly)."""
    access.require(by, "kiosk.enroll", terminal)
    if not terminal.is_active:
        raise_invalid("terminal", "该终端已停用 / the terminal is disabled")
    audit.record(by, "kiosk.enroll", terminal, request=request)
    response.set_cookie(
        COOKIE,
        signing.dumps(terminal.code, salt=SALT),
        max_age=settings.KIOSK_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() if request is not None else False,
    )


def raise_invalid(field: str, message: str):
    from tongban.errors import InvalidInput

    raise InvalidInput(message, fields={field: [message]})


# --- signing in by ID card ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # waiting, signed_in, unknown, used, error
    message: str = ""


WAITING = Outcome("waiting", "请将身份证放在读卡区")
USED = Outcome("used", "请取下身份证,再重新放在读卡区")
UNKNOWN = Outcome(
    "unknown",
    "未找到与该身份证对应的账号。请先在网上(手机号注册)或到窗口开通账号并完成实名认证;"
    "也可以到窗口办理。",
)
READER_DOWN = Outcome("error", "读卡器暂时无法使用,请稍后再试或到窗口办理")


def card_sign_in(request, terminal: KioskTerminal) -> Outcome:
    """Ask the terminal's reader for the card on it; sign its holder in when one is new."""
    try:
        card = registry.get().read(terminal)
    except ReaderError:
        return READER_DOWN
    if card is None:
        return WAITING
    number = population.normalize_id_number(card.id_number)
    with transaction.atomic():
        locked = KioskTerminal.objects.select_for_update().get(pk=terminal.pk)
        if locked.last_read_id == card.read_id:
            return USED  # the placement already signed someone in (and out)
        locked.last_read_id = card.read_id
        locked.save(update_fields=["last_read_id"])
        user = _holder(number, card.name)
        changes = {"id_number": mask(number, "id_number"), "terminal": terminal.code}
        if user is None:
            audit.record(None, "kiosk.card_unknown", terminal, changes=changes, request=request)
            return UNKNOWN
        audit.record(user, "kiosk.sign_in", user, changes=changes, request=request)
    login(request, user, backend=BACKEND)
    request.session[SESSION_KEY] = terminal.code
    request.session.set_expiry(settings.KIOSK_IDLE_SECONDS)
    return Outcome("signed_in")


def _holder(number: str, name: str) -> User | None:
    """The active person account bound to the ID number, when the card's name is theirs."""
    user = User.objects.filter(
        id_number_hash=blind_index(number, "id_number"), kind=User.Kind.PERSON, is_active=True
    ).first()
    if user is None or (name and user.get_full_name() and user.get_full_name() != name):
        return None
    return user


def is_kiosk_session(request) -> bool:
    return bool(request.user.is_authenticated and request.session.get(SESSION_KEY))


def end_session(request, *, reason: str = "idle") -> None:
    """Sign out and flush the session (nothing of the person is kept on the terminal)."""
    if is_kiosk_session(request):
        audit.record(
            request.user,
            "kiosk.sign_out",
            request.user,
            changes={"terminal": request.session.get(SESSION_KEY), "reason": reason[:20]},
            request=request,
        )
    logout(request)  # flushes the session, whoever it was


# --- what the kiosk offers ----------------------------------------------------------------


@dataclass
class Plan:
    """How the kiosk fills one guide's form and materials."""

    fields: list[dict]
    materials: list[dict]
    blocking: list[str]  # labels of what the kiosk cannot take: use a window or the web


def field_control(field: dict, known: dict) -> str:
    """``prefilled``, ``choice``, ``multi``, ``check``, ``numpad``, or ``text`` (free text the
    kiosk cannot take)."""
    if field["key"] in known:
        return "prefilled"
    kind = field["type"]
    if kind == "select" or (kind not in CHOICES and field.get("options")):
        return "choice"
    if kind == "multiselect":
        return "multi"
    if kind == "checkbox":
        return "check"
    if kind in NUMPAD:
        return "numpad"
    return "text"


def material_way(spec, *, person, offers) -> str:
    """``exempt`` (shared from the population base), ``license`` (an e-license the applicant
    holds), ``skip`` (not always required), or ``missing`` (needs a scan: not on the kiosk)."""
    if spec.shared_data_item == "registry.person" and person is not None:
        return "exempt"
    if spec.pk in offers:
        return "license"
    if spec.requirement != MaterialSpec.Requirement.REQUIRED:
        return "skip"
    return "missing"


def plan(guide, user, *, known: dict, offers: dict, person) -> Plan:
    fields, blocking = [], []
    for field in (guide.form_schema or {}).get("fields", []):
        control = field_control(field, known)
        if control == "text":
            if field.get("required") and not field.get("visible_if"):
                blocking.append(field["label"])
            continue  # optional or conditional free text: not asked on the kiosk
        fields.append({**field, "control": control, "filled": known.get(field["key"])})
    materials = []
    for spec in guide.materials.all():
        way = material_way(spec, person=person, offers=offers)
        if way == "missing":
            blocking.append(spec.name)
        materials.append({"spec": spec, "way": way, "license": offers.get(spec.pk)})
    return Plan(fields, materials, blocking)


def kiosk_ready(guide) -> bool:
    """Whether the kiosk can take this guide for a person in the population base: every
    required field prefilled or fillable by touch, every required material shared from the
    population base or satisfied by an e-license type."""
    if guide.online_depth < Guide.OnlineDepth.PRE_REVIEW:
        return False
    if guide.service_object == Guide.ServiceObject.ENTERPRISE:
        return False
    for field in (guide.form_schema or {}).get("fields", []):
        prefilled = str(field.get("prefill") or "").startswith("registry.person.")
        if field.get("required") and not prefilled and field_control(field, {}) == "text":
            return False
    for spec in guide.materials.all():
        if spec.requirement != MaterialSpec.Requirement.REQUIRED:
            continue
        if spec.shared_data_item != "registry.person" and not spec.license_type_code:
            return False
    return True


def kiosk_items(limit: int = MENU_SIZE) -> list[ServiceItem]:
    """Items in force a person can apply for on the kiosk (``kiosk_ready``), by name."""
    items = (
        ServiceItem.objects.filter(is_active=True, current_guide__status=Guide.Status.PUBLISHED)
        .select_related("current_guide")
        .prefetch_related("current_guide__materials")
        .order_by("current_guide__name")
    )
    found = []
    for item in items.iterator(chunk_size=200):
        if kiosk_ready(item.current_guide):
            found.append(item)
            if len(found) >= limit:
                break
    return found


def shown(field: dict) -> str:
    """A prefilled value as the kiosk shows it: ID numbers and phones masked."""
    value = str(field["filled"]["value"])
    return mask(value, field["type"]) if field["type"] in ("id_number", "phone") else value
