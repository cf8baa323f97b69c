"""What goes into a case's archive package, and how the ZIP is written.

Files of a package (paths inside the ZIP):

- ``case.json``: the case (item, guide version, department, channel, dates, result), its
  form and the list of its materials. The applicant's name and ID number are masked as on
  every printed document, and form fields typed as personal (ID number, phone, address) are
  masked too: the package is a file that is copied (exports, backups), while the full values
  stay encrypted in the case's row, which is never deleted (docs/archives.md).
- ``events.json``: every status change (``CaseEvent``), decisions included.
- ``records.json``: the supplement request (一次性告知), suspensions and extensions.
- ``workflow.json``: the case's process instances and their tasks.
- ``audit.json``: the audit records of the case, its processes and its licenses, with their
  chain positions and hashes, so they can be checked against the live chain.
- ``materials/…``: the uploaded files, byte for byte as stored.
- ``result/result.pdf``: the result document as issued, sealed and signed
  (``cases.results.sealed_result``).
- ``license/<identifier>.json`` and ``.pdf``: each license issued from the case, if any.
- ``manifest.json`` (every file above: size, SHA-256, SM3), ``manifest.sig`` (its SM2
  signature, DER) and ``manifest.pem`` (the signer's public key).
"""

import datetime
import io
import json
import zipfile
from pathlib import PurePosixPath

from django.db.models import Q

from tongban.audit.models import AuditRecord
from tongban.cases import results
from tongban.cases.models import CaseEvent, Extension, Material, SupplementRequest, Suspension
from tongban.cases.receipts import masked_applicant
from tongban.core.pii.masking import mask
from tongban.licenses.models import License
from tongban.workflow.models import ProcessInstance, Task

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "manifest.pem"
CONTROL_FILES = (MANIFEST, SIGNATURE, PUBLIC_KEY)
FORMAT = "tongban-archive/1"
# Form field types holding personal data, masked in case.json (``masking.mask`` kinds).
PERSONAL_FIELD_TYPES = {"id_number": "id_number", "phone": "phone", "address": "address"}
# A fixed time on every ZIP entry: the same contents always make the same bytes.
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)


def canonical(value) -> bytes:
    """JSON bytes that the same value always serialises to (what is hashed and signed)."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_plain
    ).encode("utf-8")


def _plain(value) -> str:
    """Dates and times in ISO 8601; anything else JSON cannot hold as its text."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def contents(case) -> tuple[list[tuple[str, bytes]], bool]:
    """Every file of ``case``'s package but the manifest's three, in order; and whether a
    license was found."""
    materials = list(
        Material.objects.filter(case=case).select_related("uploaded_by").order_by("pk")
    )
    licenses = list(License.objects.filter(case=case).select_related("license_type"))
    files = {material.pk: _material_path(material) for material in materials if material.file}
    entries = [
        ("case.json", canonical(case_record(case, materials, files))),
        ("events.json", canonical(events(case))),
        ("records.json", canonical(records(case))),
        ("workflow.json", canonical(workflow_history(case))),
        ("audit.json", canonical(audit_extract(case, licenses))),
    ]
    for material in materials:
        if material.pk in files:
            entries.append((files[material.pk], _read(material.file)))
    entries.append(("result/result.pdf", results.sealed_result(case)))
    for found in licenses:
        entries.append((f"license/{found.identifier}.json", canonical(license_record(found))))
        if found.pdf:
            entries.append((f"license/{found.identifier}.pdf", _read(found.pdf)))
    return entries, bool(licenses)


def case_record(case, materials, files: dict[int, str]) -> dict:
    name, id_number = masked_applicant(case)
    return {
        "number": case.number,
        "item": {"code": case.item.implementation_code, "name": case.guide.name},
        "guide_version": case.guide.version,
        "department": {"code": case.department.code, "name": case.department.name},
        "applicant": {
            "kind": "enterprise" if case.enterprise_id else "person",
            "name": name,
            "id_number": id_number,
        },
        "channel": case.channel,
        "center": case.center.name if case.center_id else "",
        "window": str(case.window) if case.window_id else "",
        "status": case.status,
        "round": case.round,
        "submitted_at": case.submitted_at,
        "accepted_on": case.accepted_on,
        "promised_due": case.promised_due,
        "statutory_due": case.statutory_due,
        "extension_days": case.extension_days,
        "concluded_at": case.concluded_at,
        "delivered_at": case.delivered_at,
        "result_type": case.result_type,
        "delivery_method": case.delivery_method,
        "result_note": case.result_note,
        "refusal_reason": case.refusal_reason,
        "form": masked_form(case),
        "materials": [_material_record(m, files.get(m.pk, "")) for m in materials],
    }


def masked_form(case) -> dict:
    """The form's values, those of personal field types masked."""
    schema = case.guide.form_schema or {}
    kinds = {
        field.get("key"): PERSONAL_FIELD_TYPES[field.get("type")]
        for field in schema.get("fields", [])
        if field.get("type") in PERSONAL_FIELD_TYPES
    }
    return {
        key: mask(value, kinds[key]) if key in kinds and isinstance(value, str) else value
        for key, value in (case.form_data or {}).items()
    }


def events(case) -> list[dict]:
    found = CaseEvent.objects.filter(case=case).select_related("actor").order_by("pk")
    return [
        {
            "at": event.at,
            "verb": event.verb,
            "from": event.from_status,
            "to": event.to_status,
            "actor": _who(event.actor),
            "note": event.note,
        }
        for event in found
    ]


def records(case) -> dict:
    supplement = SupplementRequest.objects.filter(case=case).first()
    return {
        "supplement": supplement
        and {
            "round": supplement.round,
            "items": supplement.items,
            "notice": supplement.notice,
            "requested_at": supplement.requested_at,
            "answered_at": supplement.answered_at,
        },
        "suspensions": [
            {
                "kind": s.kind,
                "reason": s.reason,
                "started_on": s.started_on,
                "ended_on": s.ended_on,
                "resume_status": s.resume_status,
            }
            for s in Suspension.objects.filter(case=case).order_by("started_on", "pk")
        ],
        "extensions": [
            {"days": e.days, "reason": e.reason, "approved_at": e.approved_at}
            for e in Extension.objects.filter(case=case).order_by("pk")
        ],
    }


def workflow_history(case) -> list[dict]:
    instances = ProcessInstance.objects.filter(subject=_subject(case)).select_related("definition")
    tasks = Task.objects.filter(instance__in=instances).select_related("department", "completed_by")
    by_instance: dict[int, list] = {}
    for task in tasks.order_by("pk"):
        by_instance.setdefault(task.instance_id, []).append(
            {
                "name": task.name,
                "title": task.title,
                "role": task.role,
                "department": task.department.code,
                "status": task.status,
                "created_at": task.created_at,
                "completed_at": task.completed_at,
                "completed_by": _who(task.completed_by),
                "decision": task.decision,
            }
        )
    return [
        {
            "definition": str(instance.definition),
            "status": instance.status,
            "started_at": instance.created_at,
            "completed_at": instance.completed_at,
            "end_event": instance.end_event,
            "tasks": by_instance.get(instance.pk, []),
        }
        for instance in instances.order_by("pk")
    ]


def audit_extract(case, licenses) -> list[dict]:
    instance_ids = ProcessInstance.objects.filter(subject=_subject(case)).values_list(
        "pk", flat=True
    )
    which = (
        Q(object_type="cases.case", object_id=str(case.pk))
        | Q(object_type="workflow.processinstance", object_id__in=[str(i) for i in instance_ids])
        | Q(object_type="licenses.license", object_id__in=[str(x.pk) for x in licenses])
    )
    found = AuditRecord.objects.filter(which).order_by("at", "partition", "seq")
    return [
        {
            "partition": r.partition,
            "seq": r.seq,
            "at": r.at,
            "actor": r.actor_repr,
            "action": r.action,
            "object": f"{r.object_type}:{r.object_id}",
            "changes": r.changes,
            "note": r.note,
            "algorithm": r.algorithm,
            "hash": r.hash,
        }
        for r in found
    ]


def license_record(found: License) -> dict:
    return {
        "identifier": found.identifier,
        "type": {"code": found.license_type.code, "name": found.license_type.name},
        "number": found.number,
        "version": found.version,
        "status": found.status,
        "holder_name": found.holder_name,
        "issued_on": found.issued_on,
        "valid_from": found.valid_from,
        "valid_to": found.valid_to,
        "pdf_sha256": found.pdf_sha256,
        "sm2_signature": found.sm2_signature,
    }


def write_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """The ZIP of ``entries`` (deflated; names in UTF-8)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, ENTRY_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _material_record(material, path: str) -> dict:
    return {
        "name": material.name,
        "source": material.source,
        "reference": material.reference_id,
        "file": path,
        "sha256": material.sha256,
        "size": material.size,
        "content_type": material.content_type,
        "round": material.round,
        "superseded": material.superseded,
        "uploaded_at": material.uploaded_at,
        "uploaded_by": _who(material.uploaded_by),
    }


def _material_path(material) -> str:
    suffix = PurePosixPath(material.file.name).suffix.lower()[:10]
    name = "".join(c for c in material.name if c not in '/\\:*?"<>|').strip()[:60] or "material"
    return f"materials/{material.pk:06d}-{name}{suffix}"


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _who(user) -> str:
    if user is None:
        return ""
    full_name = user.get_full_name()
    return f"{user.username}({full_name})" if full_name else user.username


def _subject(case) -> str:
    return f"cases.Case:{case.pk}"
