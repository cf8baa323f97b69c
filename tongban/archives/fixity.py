"""Fixity (完整性校验): is each stored package still what was archived?

``check_fixity`` re-reads a package's ZIP from storage and compares, against what its row
recorded when it was built: the package's size, SHA-256 and SM3; the manifest inside the ZIP
(byte for byte the one signed); the manifest's SM2 signature; each listed file's size,
SHA-256 and SM3; and files nobody listed. Any difference marks the package tampered (or
missing, when the file is gone), writes an audit record and alarms the system
administrators (in-app and SMS, ``archives.fixity_alarm``), once per status change.

``sweep`` checks the packages checked longest ago (never-checked first), in batches; the
periodic task (``tasks.fixity_sweep``) and ``manage.py archives_fixity`` call it.
"""

import io
import json
import zipfile
import zlib

from django.db import transaction
from django.db.models import F

from tongban.archives import packaging, sealing
from tongban.archives.models import ArchivePackage, FixityCheck
from tongban.audit import services as audit
from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.notify import services as notify
from tongban.org.models import StaffMembership

ACTOR = "archives.fixity"
TEMPLATE = "archives.fixity_alarm"
BATCH = 50
Status = ArchivePackage.Status
# Who is told when a package changes. There is no archives role in org.roles yet; the
# system administrators keep the storage and answer for it.
RECIPIENT_ROLES = (StaffMembership.Role.SYSTEM_ADMIN,)


def check_fixity(package: ArchivePackage) -> FixityCheck:
    """Check one package now; store the check, the package's new status, and on a change of
    status its audit record and the alarm."""
    data = _stored_bytes(package)
    if data is None:
        findings = [{"kind": "missing", "file": package.package.name}]
    else:
        findings = inspect(package, data)
    findings += _record_findings(package)
    status = _status_of(findings)
    with transaction.atomic():
        locked = (
            ArchivePackage.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=package.pk)
        )
        check = FixityCheck.objects.create(
            package=locked, at=clock.now(), ok=not findings, findings=findings
        )
        before = locked.status
        locked.status = status
        locked.last_checked_at = check.at
        locked.last_check_ok = check.ok
        locked.save(update_fields=["status", "last_checked_at", "last_check_ok"])
        if status != before:
            _record_change(locked, before, findings)
    package.status, package.last_checked_at = locked.status, locked.last_checked_at
    package.last_check_ok = locked.last_check_ok
    return check


def inspect(package: ArchivePackage, data: bytes) -> list[dict]:
    """What differs between the stored ZIP ``data`` and what ``package`` recorded."""
    findings = []
    found = sealing.digests(data)
    if (found.size, found.sha256, found.sm3) != (package.size, package.sha256, package.sm3):
        findings.append({"kind": "package_changed", "file": "", "detail": f"sha256 {found.sha256}"})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return [*findings, {"kind": "unreadable", "file": "", "detail": "not a ZIP"}]
    with archive:
        findings += _manifest_findings(package, archive)
        findings += _file_findings(package, archive)
    return findings


def _manifest_findings(package: ArchivePackage, archive: zipfile.ZipFile) -> list[dict]:
    expected = packaging.canonical(package.manifest)
    stored = _member(archive, packaging.MANIFEST)
    findings = []
    if stored is None:
        findings.append({"kind": "file_missing", "file": packaging.MANIFEST})
    elif stored != expected:
        findings.append({"kind": "manifest_changed", "file": packaging.MANIFEST})
    if not sealing.verify(expected, package.signature, package.signer_public_key):
        findings.append({"kind": "signature_invalid", "file": packaging.SIGNATURE})
    signature = _member(archive, packaging.SIGNATURE)
    if signature is None or sealing.encoded(signature) != package.signature:
        findings.append({"kind": "file_changed", "file": packaging.SIGNATURE})
    return findings


def _file_findings(package: ArchivePackage, archive: zipfile.ZipFile) -> list[dict]:
    findings = []
    listed = package.manifest.get("files", [])
    names = set(archive.namelist())
    for entry in listed:
        if entry["path"] not in names:
            findings.append({"kind": "file_missing", "file": entry["path"]})
            continue
        data = _member(archive, entry["path"])
        if data is None:
            findings.append({"kind": "file_changed", "file": entry["path"], "detail": "unreadable"})
            continue
        found = sealing.digests(data)
        if (found.size, found.sha256, found.sm3) != (entry["size"], entry["sha256"], entry["sm3"]):
            findings.append(
                {"kind": "file_changed", "file": entry["path"], "detail": f"sha256 {found.sha256}"}
            )
    known = {entry["path"] for entry in listed} | set(packaging.CONTROL_FILES)
    findings += [{"kind": "file_unexpected", "file": name} for name in sorted(names - known)]
    return findings


def _record_findings(package: ArchivePackage) -> list[dict]:
    """The row's hashes against those the hash-chained audit log recorded at the build: a
    ZIP replaced together with its row (by someone with database access) shows here."""
    built = (
        AuditRecord.objects.filter(
            action="archives.package.build",
            object_type="archives.archivepackage",
            object_id=str(package.pk),
        )
        .order_by("pk")
        .first()
    )
    changes = built.changes if built else {}
    recorded = (changes.get("sha256", [None, None])[1], changes.get("sm3", [None, None])[1])
    if recorded == (package.sha256, package.sm3):
        return []
    return [{"kind": "record_changed", "file": "", "detail": "hashes differ from the audit log"}]


def sweep(*, limit: int | None = None) -> dict[str, int]:
    """Check up to ``limit`` packages (all when ``None``), the longest unchecked first;
    how many were checked and how many failed."""
    started = clock.now()
    checked = failed = 0
    while limit is None or checked < limit:
        size = BATCH if limit is None else min(BATCH, limit - checked)
        batch = list(_due(started)[:size])
        if not batch:
            break
        for package in batch:
            checked += 1
            failed += not check_fixity(package).ok
    return {"checked": checked, "failed": failed}


def _due(started):
    """Packages not checked since ``started``, never-checked first, then oldest check."""
    never = ArchivePackage.objects.filter(last_checked_at__isnull=True)
    if never.exists():
        return never.order_by("pk")
    return ArchivePackage.objects.filter(last_checked_at__lt=started).order_by(
        F("last_checked_at").asc(), "pk"
    )


def _status_of(findings: list[dict]) -> str:
    if not findings:
        return Status.OK
    if any(f["kind"] == "missing" for f in findings):
        return Status.MISSING
    return Status.TAMPERED


def _stored_bytes(package: ArchivePackage) -> bytes | None:
    try:
        with package.package.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError, ValueError):
        return None


def _member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return archive.read(name)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, zlib.error):
        return None


def _record_change(package: ArchivePackage, before: str, findings: list[dict]) -> None:
    audit.record(
        ACTOR,
        "archives.package.fixity",
        package,
        changes={"status": [before, package.status]},
        note=json.dumps(findings[:20], ensure_ascii=False),
    )
    if package.status != Status.OK:
        _alarm(package, findings)


def recipients() -> list:
    memberships = (
        StaffMembership.objects.active()
        .filter(role__in=RECIPIENT_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    return list({m.user_id: m.user for m in memberships}.values())


def _alarm(package: ArchivePackage, findings: list[dict]) -> None:
    files = "、".join(sorted({f["file"] for f in findings if f.get("file")})[:5]) or "档案包"
    context = {
        "档号": package.number,
        "办件编号": package.case.number,
        "状态": str(package.get_status_display()),
        "问题": f"{len(findings)} 项({files})",
    }
    stamp = int(package.last_checked_at.timestamp())
    for user in recipients():
        phone = str(user.phone) if user.phone else ""
        notify.send(
            user,
            TEMPLATE,
            context,
            channels=["in_app", "sms"] if phone else ["in_app"],
            address=phone or None,
            idempotency_key=f"archives:{package.pk}:{package.status}:{stamp}:{user.pk}",
            by=ACTOR,
        )
