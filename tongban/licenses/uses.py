"""用证: a holder's e-license instead of an uploaded material (免于提交).

What the application form calls (``cases.intake`` wires them in):

- ``usable_license``: the holder's license of a type that is in force, if any
  (``usable_by_identifier``: the one a material reference names, if usable);
- ``offer_for``: for each material of a guide that an e-license type satisfies, the license
  the applicant can give instead of an upload;
- ``authorize_use``: the holder's consent that the department handling a case uses the
  license for it, logged for the holder (``LicenseAccess`` kind use) and audited.

A person uses their own licenses; someone acting for an enterprise uses the enterprise's
with the ``apply`` scope (``licenses.use``): the legal representative, or an agent so
authorized. Licenses in force only: valid status, in effect today, not past ``valid_to``.
"""

from django.db import transaction
from django.db.models import Q

from tongban.audit import services as audit
from tongban.core import clock
from tongban.errors import InvalidInput
from tongban.identity import access, enterprises
from tongban.licenses import wallet
from tongban.licenses.models import HolderType, License, LicenseAccess

USE = "licenses.use"
USE_SCOPE = "apply"


def _in_force(today) -> Q:
    return Q(status=License.Status.VALID, valid_from__lte=today) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )


def _holder(user, enterprise) -> Q | None:
    """The licenses ``user`` may use: their own, or ``enterprise``'s with the apply scope
    (``None``: none at all)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if enterprise is None:
        return Q(holder_type=HolderType.PERSON, holder_user=user)
    if USE_SCOPE not in enterprises.scopes_for(user, enterprise):
        return None
    return Q(holder_type=HolderType.ENTERPRISE, holder_enterprise=enterprise)


def _usable(user, enterprise, **filters):
    holder = _holder(user, enterprise)
    if holder is None:
        return License.objects.none()
    return (
        License.objects.filter(holder, _in_force(clock.today()), **filters)
        .select_related("license_type", "issuer")
        .order_by("-issued_on", "-pk")
    )


def usable_license(user, type_code: str, *, enterprise=None) -> License | None:
    """The newest license of type ``type_code`` the applicant holds and may use, in force
    today; the enterprise's when acting for one. One query (two for an agent)."""
    if not type_code:
        return None
    return _usable(user, enterprise, license_type__code=type_code).first()


def usable_by_identifier(user, identifier: str, *, enterprise=None) -> License | None:
    """The license named ``identifier`` if the applicant may use it today: what a material
    reference ``{"source": "license", "id": identifier}`` is checked against. One query."""
    if not identifier:
        return None
    return _usable(user, enterprise, identifier=str(identifier).strip()).first()


def offer_for(guide, user, *, enterprise=None) -> dict[int, License]:
    """``{spec pk: license}`` for the guide's materials an e-license type satisfies and the
    applicant holds in force: the upload it replaces. Two queries for the whole guide (the
    materials, then the licenses of their types), one more for an agent."""
    specs = [spec for spec in guide.materials.all() if spec.license_type_code]
    if not specs:
        return {}
    codes = {spec.license_type_code for spec in specs}
    newest: dict[str, License] = {}
    for license in _usable(user, enterprise, license_type__code__in=codes):
        newest.setdefault(license.license_type.code, license)
    return {
        spec.pk: newest[spec.license_type_code]
        for spec in specs
        if spec.license_type_code in newest
    }


def authorize_use(license: License, *, case, by, spec=None, request=None) -> LicenseAccess:
    """Record ``by``'s consent that the department handling ``case`` uses ``license`` for
    it (the material ``spec`` when given). Refused, with a Chinese message, for a license
    that is not theirs (or their enterprise's with the apply scope), not in force, not of
    the material's type, or held by someone other than the case's applicant."""
    _check_use(license, case=case, by=by, spec=spec)
    with transaction.atomic():
        used = LicenseAccess.objects.create(
            license=license,
            kind=LicenseAccess.Kind.USE,
            at=clock.now(),
            actor=by,
            actor_label=case.department.name[:200],
            case=case,
            note=(spec.name if spec is not None else "")[:200],
        )
        audit.record(
            by,
            "licenses.use",
            license,
            changes={"case": case.number, "material": used.note},
            request=request,
        )
    return used


def _check_use(license: License, *, case, by, spec) -> None:
    if not access.can(by, USE, license):
        raise _refused("该证照不属于您或您代表的法人,不能使用 / this license is not yours")
    if not wallet.in_force(license):
        raise _refused(
            f"该证照{wallet.state_label(license)},不能使用 / the license is not in force"
        )
    if spec is not None and spec.license_type_code != license.license_type.code:
        raise _refused("该证照不能替代此项材料 / the license does not satisfy this material")
    if license.holder_type == HolderType.ENTERPRISE:
        same = case.enterprise_id == license.holder_enterprise_id
    else:
        same = case.applicant_id == license.holder_user_id and case.enterprise_id is None
    if not same:
        raise _refused("证照持有人与办件申请人不一致 / the holder is not the case's applicant")


def _refused(message: str) -> InvalidInput:
    return InvalidInput(fields={"license": [message]})
