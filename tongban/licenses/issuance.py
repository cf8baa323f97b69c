"""How one license version is made: its serial, holder and surface data, its GB/T 36903
metadata, and its artifacts (the signed PDF in storage, the SM2 signature of the metadata).

``services`` decides when (a concluded case, a change, a renewal) and holds the transaction;
this module only builds. ``store_artifacts`` writes the file before the transaction that
saves the row: the caller deletes it again (``discard``) when that transaction fails.
"""

import datetime
import hashlib
import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction

from tongban.core import clock
from tongban.licenses import identifiers, rendering, sealing
from tongban.licenses.models import HOLDER_CODE_TYPES, HolderType, IssuerSerial, License

LONG_TERM = "长期"


def next_serial(issuer) -> str:
    """The issuer's next serial this year, ``{year}{n:06d}``: safe under concurrency.

    One short transaction of its own, so the counter row is locked only for the increment,
    never while a PDF is drawn and signed; a failed issuance leaves a gap in the numbers.
    """
    year = clock.today().year
    with transaction.atomic():
        last = _increment(issuer.pk, year)
        if last is None:  # the issuer's first license this year
            try:
                with transaction.atomic():
                    IssuerSerial.objects.get_or_create(issuer=issuer, year=year)
            except IntegrityError:
                pass  # created by a concurrent issuance between our read and insert
            last = _increment(issuer.pk, year)
    return f"{year}{last:06d}"


def _increment(issuer_id: int, year: int) -> int | None:
    """One statement: the counter moved on and read back (``UPDATE … RETURNING``, which
    PostgreSQL and SQLite ≥ 3.35 both speak); ``None`` when there is no row yet."""
    table = connection.ops.quote_name(IssuerSerial._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE issuer_id = %s AND year = %s RETURNING last",  # nosec B608  # quoted model table name; values are parameters
            [issuer_id, year],
        )
        found = cursor.fetchone()
    return found[0] if found else None


def holder_of(case) -> dict:
    """The license's holder: the case's enterprise if it has one (USCC, ``001``), else the
    applicant person (ID number, ``111``)."""
    if case.enterprise_id:
        entity = case.enterprise.legal_entity
        return {
            "holder_type": HolderType.ENTERPRISE,
            "holder_enterprise": case.enterprise,
            "holder_user": None,
            "holder_name": entity.name,
            "holder_code": str(entity.uscc),
            "holder_code_type": HOLDER_CODE_TYPES[HolderType.ENTERPRISE],
        }
    return {
        "holder_type": HolderType.PERSON,
        "holder_enterprise": None,
        "holder_user": case.applicant,
        "holder_name": str(case.applicant_name),
        "holder_code": str(case.applicant_id_number or ""),
        "holder_code_type": HOLDER_CODE_TYPES[HolderType.PERSON],
    }


def surface_from(license_type, *, form: dict, holder: dict, form_schema: dict | None) -> dict:
    """The type's surface fields filled from their sources: ``form.<key>`` (a choice shown
    by its label), ``holder.name``, ``holder.code``."""
    labels = _choice_labels(form_schema or {})
    surface = {}
    for spec in license_type.fields or []:
        source = str(spec.get("source", ""))
        if source.startswith("form."):
            key = source.removeprefix("form.")
            value = _labelled(form.get(key, ""), labels.get(key, {}))
        elif source in ("holder.name", "holder.code"):
            value = str(holder[source.replace(".", "_")])
        else:
            value = spec.get("value", "")
        surface[spec["key"]] = value
    return surface


def validity(license_type, start: datetime.date) -> datetime.date | None:
    """The last valid day for ``validity_years`` from ``start`` (``None``: long-term)."""
    years = license_type.validity_years
    if not years:
        return None
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    return end - datetime.timedelta(days=1)


def number_for(license_type, issuer_division: str, serial: str) -> str:
    """The printed number: the type's ``layout.number_prefix``, the division, the serial."""
    prefix = (license_type.layout or {}).get("number_prefix", "")
    return f"{prefix}{issuer_division}{serial}"


def metadata(lic: License) -> dict:
    """The GB/T 36903 metadata of one license version (what the SM2 signature covers)."""
    kind = lic.license_type
    return {
        "license_name": kind.name,
        "license_type_code": kind.code,
        "defining_authority": kind.authority_name,
        "defining_authority_code": kind.authority_code,
        "number": lic.number,
        "identifier": lic.identifier,
        "version": f"{lic.version:03d}",
        "holder_name": str(lic.holder_name),
        "holder_code": str(lic.holder_code),
        "holder_code_type": lic.holder_code_type,
        "issuer_name": lic.issuer.name,
        "issuer_code": lic.issuer.uscc,
        "issued_on": lic.issued_on.isoformat(),
        "valid_from": lic.valid_from.isoformat(),
        "valid_to": lic.valid_to.isoformat() if lic.valid_to else LONG_TERM,
        "division_code": lic.division_code,
        "surface": lic.surface,
    }


def canonical(data: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes signed and verified."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def assign_identifier(lic: License) -> None:
    lic.identifier = identifiers.build(
        lic.license_type.code, lic.issuer.uscc, lic.serial, lic.version
    )


def store_artifacts(lic: License, *, by=None) -> str:
    """Render, seal and sign the PDF, store it, SM2-sign the metadata: fills ``pdf``,
    ``pdf_sha256``, ``signed_data``, ``sm2_signature``; returns the stored file's name."""
    drawn = rendering.render(lic, seal_png=sealing.seal_picture(lic.issuer))
    signed = sealing.sign_pdf(
        drawn, department=lic.issuer, by=by, license_name=lic.license_type.name
    )
    data = canonical(metadata(lic))
    lic.signed_data = data.decode()
    lic.sm2_signature, lic.sm2_public_key = sealing.sm2_sign(data, department=lic.issuer)
    lic.pdf_sha256 = hashlib.sha256(signed).hexdigest()
    name = default_storage.save(_file_name(lic), ContentFile(signed))
    lic.pdf.name = name
    return name


def discard(name: str) -> None:
    """Delete a stored file whose license row was never saved."""
    if name and default_storage.exists(name):
        default_storage.delete(name)


def _file_name(lic: License) -> str:
    """Named by the identifier (as GB/T 36903 files are), under the issue year."""
    return f"licenses/{lic.issued_on:%Y}/{lic.identifier}.pdf"


def _choice_labels(form_schema: dict) -> dict[str, dict[str, str]]:
    found = {}
    for spec in form_schema.get("fields", []) or []:
        options = spec.get("options") or []
        if options:
            found[spec.get("key")] = {
                str(o.get("value")): str(o.get("label")) for o in options if isinstance(o, dict)
            }
    return found


def _labelled(value, labels: dict[str, str]):
    if isinstance(value, list):
        return [labels.get(str(part), part) for part in value]
    if labels and str(value) in labels:
        return labels[str(value)]
    return value
