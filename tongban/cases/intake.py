"""统一受理, the intake half: filing a case from any channel, prefilling the form (一证通办),
and resubmitting after a supplement request.

Every check runs before anything is written: a submission with a missing field or material
is refused field by field (``InvalidInput``, Chinese first) and creates nothing.
"""

import datetime
import decimal

from django.db import IntegrityError, transaction

from tongban.cases import history
from tongban.cases import materials as files
from tongban.cases.guides import guide_in_force
from tongban.cases.models import (
    STAFF_CHANNELS,
    Case,
    Channel,
    DeliveryMethod,
    Material,
    Status,
)
from tongban.cases.numbers import next_case_number
from tongban.catalog import formdefs
from tongban.catalog.models import Guide
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, PermissionDenied
from tongban.identity import access, enterprises, realname
from tongban.identity.models import Level
from tongban.org.models import ServiceCenter, StaffMembership
from tongban.registry import services as registry

# The real-name level an applicant filing by themselves needs (web, app, kiosk). At a window
# the clerk checks the ID card in person. Guides carry no level of their own yet.
SELF_SERVICE_LEVEL = Level.L2
# The level of service center each window channel is at (跨域通办 windows are at any level).
CHANNEL_LEVELS = {
    Channel.COUNTY_WINDOW: ServiceCenter.Level.COUNTY,
    Channel.TOWN_CENTER: ServiceCenter.Level.TOWN,
    Channel.VILLAGE_STATION: ServiceCenter.Level.VILLAGE,
}
PREFILL_SOURCES = {"registry.person": "人口库", "registry.entity": "法人库"}


def submit(
    *,
    user,
    form_data,
    channel: str,
    item_code: str | None = None,
    guide: Guide | None = None,
    materials=(),
    enterprise=None,
    window=None,
    assisted_by=None,
    assist_note: str = "",
    idempotency_key: str | None = None,
    by=None,
    delivery: str = "",
    delivery_address: str = "",
    quiet: bool = False,
) -> Case:
    """File a case; ``by`` is the clerk for window channels (defaults to ``user``).

    ``delivery``: how the applicant wants the result (``DeliveryMethod``; by post needs
    ``delivery_address``); left empty, they collect it at the 出件 window. The same
    ``idempotency_key`` from the same applicant returns the first case. ``quiet``: no notice
    of the filing (a 一件事 filing sends one for all its items).
    """
    by = by or user
    _check_lengths(idempotency_key, assist_note)
    if idempotency_key:
        found = _by_key(user, idempotency_key)
        if found is not None:
            return found
    guide = _guide(item_code, guide)
    center = _check_channel(user, by, channel, window)
    agent = _check_enterprise(user, enterprise, guide)
    person = person_of(user)
    cleaned, errors = clean_form(guide, form_data, user=user, enterprise=enterprise, person=person)
    prepared, material_errors = files.prepare(
        guide, materials, user=user, enterprise=enterprise, person=person
    )
    errors.update(material_errors)
    errors.update(delivery_errors(delivery, delivery_address))
    if errors:
        raise InvalidInput(fields=errors)
    values = {
        "guide": guide,
        "user": user,
        "by": by,
        "channel": channel,
        "window": window,
        "center": center,
        "enterprise": enterprise,
        "agent": agent,
        "assisted_by": assisted_by,
        "assist_note": assist_note,
        "form_data": cleaned,
        "idempotency_key": idempotency_key or "",
        "delivery": delivery or DeliveryMethod.WINDOW,
        "delivery_address": (delivery_address or "").strip() if delivery == "post" else "",
    }
    try:
        with files.removed_on_error() as written, transaction.atomic():
            case = _create(values)
            files.store(case, prepared, by=by, round_=1, written=written)
            files.authorize_licenses(case, prepared, by=user)
            history.record(case, "submit", "", by=by, changes={"channel": channel}, quiet=quiet)
    except IntegrityError:
        found = _by_key(user, idempotency_key) if idempotency_key else None
        if found is None:
            raise
        return found
    return case


def _check_lengths(idempotency_key, assist_note) -> None:
    errors = {}
    if idempotency_key and len(idempotency_key) > 64:
        errors["idempotency_key"] = ["幂等键不超过64个字符 / at most 64 characters"]
    if len(assist_note or "") > 300:
        errors["assist_note"] = ["帮办代办说明不超过300个字符 / at most 300 characters"]
    if errors:
        raise InvalidInput(fields=errors)


def delivery_errors(delivery: str, address: str) -> dict[str, list[str]]:
    """Field errors of the applicant's choice of delivery (none when it is a valid one)."""
    if delivery and delivery not in DeliveryMethod.values:
        labels = "、".join(str(choice.label) for choice in DeliveryMethod)
        return {"delivery": [f"送达方式须为:{labels} / must be one of {DeliveryMethod.values}"]}
    address = (address or "").strip()
    if delivery == DeliveryMethod.POST and not address:
        return {"delivery_address": ["选择邮寄送达时请填写邮寄地址 / address required for post"]}
    if len(address) > 200:
        return {"delivery_address": ["邮寄地址不超过200个字符 / at most 200 characters"]}
    return {}


def _by_key(user, key: str) -> Case | None:
    return Case.objects.filter(applicant=user, idempotency_key=key).first()


def _guide(item_code, guide) -> Guide:
    if guide is None:
        if not item_code:
            raise InvalidInput(fields={"item_code": ["请选择要办理的事项 / choose an item"]})
        return guide_in_force(item_code)
    current = guide.item.current_guide_id == guide.pk and guide.item.is_active
    if guide.status != Guide.Status.PUBLISHED or not current:
        raise Conflict(
            "该办事指南版本不是现行版本,请按现行办事指南申请",
            "This guide version is not the one in force",
        )
    return guide


def _check_channel(user, by, channel, window):
    """Who may file on which channel; the center the case was filed at (or ``None``)."""
    if channel not in Channel.values:
        raise InvalidInput(fields={"channel": ["申请渠道不正确 / unknown channel"]})
    if channel not in STAFF_CHANNELS:
        if by != user:
            raise PermissionDenied("工作人员请通过窗口渠道代为申请", "staff file at a window")
        if window is not None:
            raise InvalidInput(fields={"window": ["网上申请没有受理窗口 / no window online"]})
        realname.require_level(user, SELF_SERVICE_LEVEL)
        return None
    if channel == Channel.COUNTY_WINDOW and window is None:
        raise InvalidInput(fields={"window": ["请选择受理窗口 / choose the window"]})
    level = CHANNEL_LEVELS.get(channel)
    if window is not None and level is not None and window.center.level != level:
        raise InvalidInput(
            fields={"window": ["该窗口不属于此渠道的服务中心 / the window is at another level"]}
        )
    access.require(by, "cases.intake", window)
    if window is not None:
        return window.center
    membership = (
        StaffMembership.objects.active()
        .filter(user=by, role=StaffMembership.Role.CLERK, center__isnull=False)
        .select_related("center")
        .first()
    )
    return membership.center if membership else None


def _check_enterprise(user, enterprise, guide):
    """The agent authorization used, if any; refuses a filing the item or scope excludes."""
    service_object = guide.service_object
    if enterprise is None:
        if service_object == Guide.ServiceObject.ENTERPRISE:
            raise InvalidInput(
                fields={"enterprise": ["此事项须以法人名义申请,请选择代表的法人 / for enterprises"]}
            )
        return None
    if service_object == Guide.ServiceObject.PERSON:
        raise InvalidInput(
            fields={"enterprise": ["此事项的服务对象为自然人,不能以法人名义申请 / persons only"]}
        )
    if "apply" not in enterprises.scopes_for(user, enterprise):
        raise PermissionDenied(
            "您没有获得该法人授权申请办理事项",
            "You are not authorized to apply for this enterprise",
        )
    if enterprise.legal_rep_id == user.pk:
        return None
    return enterprises.valid_agencies(user).filter(enterprise=enterprise).first()


def clean_form(guide, form_data, *, user, enterprise=None, person=None) -> tuple[dict, dict]:
    """The cleaned form and its errors keyed ``form_data.<field>``.

    一证通办: the values the registries know (``prefill``) are filled in by the platform and
    win over what was sent: the form shows them read-only and never asks for them.
    """
    data = dict(form_data) if isinstance(form_data, dict) else form_data
    if isinstance(data, dict):
        for key, entry in prefill(user, guide, enterprise, person=person).items():
            data[key] = entry["value"]
    try:
        return formdefs.clean_submission(guide.form_schema or {}, data), {}
    except InvalidInput as error:
        return {}, {_form_key(key): messages for key, messages in error.fields.items()}


def _form_key(key: str) -> str:
    return f"form_data.{key}" if key else "form_data"


def _create(values: dict) -> Case:
    guide, user, enterprise = values["guide"], values["user"], values["enterprise"]
    if enterprise is not None:
        entity = enterprise.legal_entity
        name, number = entity.name, entity.uscc
    else:
        name, number = user.get_full_name() or user.username, str(user.id_number or "")
    return Case.objects.create(
        number=next_case_number(clock.today()),
        item_id=guide.item_id,
        guide=guide,
        applicant=user,
        enterprise=enterprise,
        agent=values["agent"],
        applicant_name=name,
        applicant_id_number=number,
        channel=values["channel"],
        window=values["window"],
        center=values["center"],
        filed_by=values["by"] if values["by"] != user else None,
        assisted_by=values["assisted_by"],
        assist_note=values["assist_note"],
        form_data=values["form_data"],
        status=Status.SUBMITTED,
        department_id=guide.item.department_id,
        idempotency_key=values["idempotency_key"],
        delivery_method=values["delivery"],
        delivery_address=values["delivery_address"],
        submitted_at=clock.now(),
    )


def prefill(user, guide, enterprise=None, *, person=None) -> dict[str, dict]:
    """``{field key: {"value", "source", "source_label"}}`` for every form field whose
    ``prefill`` names a registry value known for this applicant (or enterprise).

    ``person``: the applicant's population record when the caller has looked it up already.
    """
    records: dict[str, object] = {"registry.person": person} if person is not None else {}
    found = {}
    for field in (guide.form_schema or {}).get("fields", []):
        source, _dot, attribute = str(field.get("prefill") or "").rpartition(".")
        if source not in PREFILL_SOURCES:
            continue  # e-license values come with the licenses app
        if source not in records:
            records[source] = _record(source, user, enterprise)
        value = getattr(records[source], attribute, None) if records[source] else None
        if value in (None, ""):
            continue
        found[field["key"]] = {
            "value": _plain(value),
            "source": source,
            "source_label": PREFILL_SOURCES[source],
        }
    return found


def _record(source: str, user, enterprise):
    if source == "registry.person":
        return person_of(user)
    return enterprise.legal_entity if enterprise is not None else None


def person_of(user):
    """The applicant's record in the population base, found by their ID number."""
    number = str(getattr(user, "id_number", "") or "")
    return registry.find_person(number) if number else None


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str):
        return str(value)
    return value


def check_resubmission(case: Case, form_data, given, *, user) -> tuple[dict, list, dict]:
    """Validate a resubmission: the whole form again, and every material the supplement
    request named given anew. Returns (form, prepared materials, errors)."""
    form = case.form_data if form_data is None else form_data
    cleaned, errors = clean_form(case.guide, form, user=case.applicant, enterprise=case.enterprise)
    named = {item["material_id"] for item in case.supplement.items if item.get("material_id")}
    kept = set(
        case.materials.filter(superseded=False, spec__isnull=False)
        .exclude(spec_id__in=named)
        .values_list("spec_id", flat=True)
    )
    prepared, material_errors = files.prepare(
        case.guide, given, user=case.applicant, enterprise=case.enterprise, provided_specs=kept
    )
    errors.update(material_errors)
    provided = {entry.spec.pk for entry in prepared if entry.spec is not None}
    for item in case.supplement.items:
        if item.get("material_id") and item["material_id"] not in provided:
            errors.setdefault(f"materials.{item['material_id']}", []).append(
                f"请按补正告知重新提交“{item['name']}” / resubmit this material"
            )
    return cleaned, prepared, errors


def supersede(case: Case, prepared: list) -> None:
    """Mark the earlier materials that the resubmitted ones replace."""
    specs = {entry.spec.pk for entry in prepared if entry.spec is not None}
    Material.objects.filter(case=case, spec_id__in=specs, superseded=False).update(superseded=True)
