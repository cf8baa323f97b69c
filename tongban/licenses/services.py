"""E-licenses: issuance when a case concludes with a license, change and renewal (a new
version), revocation, and the state of a license.

Each state change is one transaction holding the license rows and the audit record; the
signed PDF is written to storage just before that transaction and deleted again if it fails.
A license's state is read, not stored, for expiry: ``state`` compares ``valid_to`` with the
clock; revocation and supersession are stored on the row.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from tongban.audit import services as audit
from tongban.cases.models import Case, ResultType
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity import access
from tongban.licenses import identifiers, issuance
from tongban.licenses.models import License, LicenseType

SYSTEM = "worker"
REASON_MAX = 200


class State:
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


STATE_LABELS = {
    State.VALID: ("有效", "valid"),
    State.REVOKED: ("已注销", "revoked"),
    State.EXPIRED: ("已过期", "expired"),
    State.SUPERSEDED: ("已变更(有新版本)", "superseded by a newer version"),
}


def state(lic: License, today: datetime.date | None = None) -> str:
    """valid / revoked / expired / superseded: stored revocation and supersession first,
    then expiry (``valid_to`` before today)."""
    return state_of(lic.status, lic.valid_to, today)


def state_of(status: str, valid_to: datetime.date | None, today: datetime.date | None = None):
    """``state`` from the two columns it reads (the verification reads only those)."""
    if status == License.Status.REVOKED:
        return State.REVOKED
    if status == License.Status.SUPERSEDED:
        return State.SUPERSEDED
    if valid_to is not None and valid_to < (today or clock.today()):
        return State.EXPIRED
    return State.VALID


def type_for_item(item_id) -> LicenseType | None:
    """The active license type a service item's license result is issued as."""
    return LicenseType.objects.filter(items=item_id, is_active=True).order_by("pk").first()


def license_of_case(case) -> License | None:
    """The license first issued for ``case`` (version 1), if any."""
    case_id = getattr(case, "pk", case)
    return (
        License.objects.filter(case_id=case_id, previous__isnull=True)
        .select_related("license_type", "issuer")
        .first()
    )


# --- license types -----------------------------------------------------------------------
#
# The rules a type (证照目录 entry) obeys, checked when it is saved in the admin and when the
# demo catalog is loaded: a type code of the standard's shape, surface fields with a key, a
# label and a known source.

SOURCES = ("holder.name", "holder.code")
SOURCE_PREFIXES = ("form.",)


def check_type(license_type) -> None:
    """``ValidationError`` by field when ``license_type`` breaks a rule above."""
    errors = {}
    try:
        identifiers.check_type_code(license_type.code or "")
    except identifiers.InvalidIdentifier as error:
        errors["code"] = [f"{error.message} / {error.message_en}"]
    if license_type.authority_code and not (license_type.code or "").startswith(
        license_type.authority_code
    ):
        errors["authority_code"] = [
            "证照类型代码应以定义机构代码开头 / the type code starts with the authority's code"
        ]
    problems = [problem for spec in _specs(license_type.fields) for problem in _field(spec)]
    if problems:
        errors["fields"] = problems
    if errors:
        raise ValidationError(errors)


def _specs(fields) -> list:
    if not isinstance(fields, list):
        return [None]
    return fields


def _field(spec) -> list[str]:
    if not isinstance(spec, dict) or not spec.get("key") or not spec.get("label"):
        return ["每个照面信息项需要 key 和 label / each field needs a key and a label"]
    source = str(spec.get("source", ""))
    if source in SOURCES or source.startswith(SOURCE_PREFIXES) or "value" in spec:
        return []
    return [
        f"照面信息项 {spec['key']} 的来源应为 form.字段、holder.name 或 holder.code"
        f" / unknown source {source!r}"
    ]


# --- issuance ----------------------------------------------------------------------------


def issue_for_case(case: Case, *, by=None) -> License:
    """The license of a case concluded with a license result, issued once: a second call
    returns the same license. ``by``: a staff member issuing by hand (``licenses.issue``);
    ``None`` for the background task."""
    case = (
        Case.objects.select_related("guide", "department", "applicant", "enterprise__legal_entity")
        .filter(pk=case.pk)
        .first()
    )
    if case is None:
        raise NotFound("未找到该办件", "No such case")
    if by is not None:
        access.require(by, "licenses.issue", case)
    found = license_of_case(case)
    if found is not None:
        return found
    license_type = _issuable_type(case)
    holder = issuance.holder_of(case)
    today = clock.today()
    serial = issuance.next_serial(case.department)
    lic = License(
        license_type=license_type,
        issuer=case.department,
        serial=serial,
        version=1,
        number=issuance.number_for(license_type, settings.TONGBAN_COUNTY_CODE, serial),
        division_code=settings.TONGBAN_COUNTY_CODE,
        issued_on=today,
        valid_from=today,
        valid_to=issuance.validity(license_type, today),
        case=case,
        surface=issuance.surface_from(
            license_type, form=case.form_data or {}, holder=holder, form_schema=_schema(case)
        ),
        **holder,
    )
    return _save_version(lic, by=by, action="licenses.license.issue")


def _issuable_type(case: Case) -> LicenseType:
    if case.concluded_at is None or case.result_type != ResultType.LICENSE:
        raise Conflict(
            "办件尚未以证照结果办结,不能签发证照",
            "The case has not been concluded with a license result",
        )
    found = type_for_item(case.item_id)
    if found is None:
        raise Conflict(
            "该事项未关联证照类型,请先在证照目录中配置",
            "No license type is bound to this item",
        )
    return found


def _schema(case: Case) -> dict:
    return getattr(case.guide, "form_schema", None) or {}


# --- change, renewal, revocation ---------------------------------------------------------


def change(lic: License, *, surface: dict, by) -> License:
    """变更: a new version with ``surface`` merged into the surface data; the old version is
    superseded. Only the type's surface fields may change, on a license in force."""
    access.require(by, "licenses.change", lic)
    keys = {spec.get("key") for spec in lic.license_type.fields or []}
    unknown = sorted(set(surface or {}) - keys)
    if not surface or unknown:
        raise InvalidInput(
            fields={"surface": [f"可变更的照面信息项为 {'、'.join(sorted(keys))} / unknown fields"]}
        )
    if state(lic) != State.VALID:
        raise Conflict("只能变更有效的证照", "Only a license in force can be changed")
    new = _next_version(lic, surface={**lic.surface, **surface})
    return _save_version(new, by=by, action="licenses.license.change", previous=lic)


def renew(lic: License, *, by) -> License:
    """延续: a new version valid for the type's term from today; the old one is superseded.
    A license in force or expired may be renewed, a long-term one never needs to be."""
    access.require(by, "licenses.renew", lic)
    if state(lic) not in (State.VALID, State.EXPIRED):
        raise Conflict("已注销或已变更的证照不能延续", "A revoked or superseded license")
    if not lic.license_type.validity_years:
        raise Conflict("长期有效的证照无需延续", "A long-term license needs no renewal")
    today = clock.today()
    new = _next_version(lic, valid_from=today, valid_to=issuance.validity(lic.license_type, today))
    return _save_version(new, by=by, action="licenses.license.renew", previous=lic)


def revoke(lic: License, *, reason: str, by) -> License:
    """注销: the license (its current version) stops being valid, with the reason."""
    access.require(by, "licenses.revoke", lic)
    reason = str(reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(fields={"reason": ["请填写注销原因(200字以内) / give a reason"]})
    with transaction.atomic():
        locked = License.objects.select_for_update().get(pk=lic.pk)
        if locked.status != License.Status.VALID:
            raise Conflict("该证照已注销或已变更", "The license is revoked or superseded")
        locked.status = License.Status.REVOKED
        locked.revoked_at = clock.now()
        locked.revoke_reason = reason
        locked.save(update_fields=["status", "revoked_at", "revoke_reason"])
        audit.record(
            by,
            "licenses.license.revoke",
            locked,
            changes={"status": ["valid", "revoked"]},
            note=reason,
        )
    return locked


def _next_version(lic: License, **changes) -> License:
    fields = {
        name: getattr(lic, name)
        for name in (
            "license_type", "issuer", "serial", "number", "division_code", "holder_type",
            "holder_user", "holder_enterprise", "holder_name", "holder_code",
            "holder_code_type", "valid_from", "valid_to", "surface", "case",
        )
    }  # fmt: skip
    fields.update(version=lic.version + 1, previous=lic, issued_on=clock.today())
    fields.update(changes)
    return License(**fields)


# --- saving a version --------------------------------------------------------------------


class _AlreadyIssued(Exception):
    def __init__(self, found: License):
        self.found = found


def _save_version(lic: License, *, by, action: str, previous: License | None = None) -> License:
    """Draw, sign and store the version, then save it (superseding ``previous``) with its
    audit record in one transaction; the stored file is deleted if that fails."""
    issuance.assign_identifier(lic)
    stored = issuance.store_artifacts(lic, by=by)
    try:
        with transaction.atomic():
            if previous is not None:
                _supersede(previous)
            elif lic.case_id is not None:
                _claim_case(lic.case_id)
            lic.save()
            audit.record(
                by or SYSTEM,
                action,
                lic,
                changes={"identifier": [previous.identifier if previous else None, lic.identifier]},
            )
    except _AlreadyIssued as already:
        issuance.discard(stored)
        return already.found
    except BaseException:
        issuance.discard(stored)
        raise
    return lic


def _claim_case(case_id: int) -> None:
    """Lock the case row so concurrent issuances for it queue; the loser gets the winner's."""
    list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk", flat=True))
    found = license_of_case(case_id)
    if found is not None:
        raise _AlreadyIssued(found)


def _supersede(previous: License) -> None:
    locked = License.objects.select_for_update().get(pk=previous.pk)
    if locked.status != License.Status.VALID:
        raise Conflict("该证照已有新版本或已注销", "The license is superseded or revoked")
    locked.status = License.Status.SUPERSEDED
    locked.save(update_fields=["status"])
    previous.status = locked.status
