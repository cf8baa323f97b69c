"""The archives' public functions: build a case's package, find packages, read their files.

``build_package`` runs in a background task once a case concludes (``handlers``, ``tasks``);
``fixity.check_fixity`` re-reads stored packages; ``export`` writes them out for the archives
bureau. Access: ``rules`` (the case's department, supervisors, system administrators).
"""

import datetime
import io
import json
import zipfile
import zlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tongban.archives import packaging, retention, sealing
from tongban.archives.models import ArchivePackage
from tongban.audit import services as audit
from tongban.cases.models import Case
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity import access
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor

ACTOR = "archives"
VIEW = "archives.view"


def build_package(case: Case) -> ArchivePackage:
    """The archive package of a concluded case: built, signed, stored and recorded once;
    later calls return the same package."""
    existing = ArchivePackage.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return existing
    case = Case.objects.select_related("item", "guide", "department", "center", "window").get(
        pk=case.pk
    )
    if case.concluded_at is None:
        raise Conflict("办件尚未办结,不能归档", "The case has not concluded yet")
    code = retention.retention_for(case.result_type)
    number = retention.archive_number(case, code)
    entries, has_license = packaging.contents(case)
    manifest_bytes = packaging.canonical(_manifest(number, case, entries, has_license))
    manifest = json.loads(manifest_bytes)
    signature, public_key = sealing.sign(manifest_bytes)
    data = packaging.write_zip(
        [
            *entries,
            (packaging.MANIFEST, manifest_bytes),
            (packaging.SIGNATURE, signature),
            (packaging.PUBLIC_KEY, public_key.encode("ascii")),
        ]
    )
    package = ArchivePackage(
        case=case,
        number=number,
        created_at=clock.now(),
        result_type=case.result_type,
        retention=code,
        keep_until=retention.keep_until(code, retention.concluded_on(case)),
        manifest=manifest,
        signature=sealing.encoded(signature),
        signer_public_key=public_key,
        has_license=has_license,
        **_package_digests(data),
    )
    return _store(package, data)


def _manifest(number: str, case: Case, entries, has_license: bool) -> dict:
    files = []
    for name, data in entries:
        found = sealing.digests(data)
        files.append({"path": name, "size": found.size, "sha256": found.sha256, "sm3": found.sm3})
    return {
        "format": packaging.FORMAT,
        "archive_number": number,
        "case_number": case.number,
        "department": case.department.code,
        "result_type": case.result_type,
        "concluded_at": case.concluded_at,
        "created_at": clock.now(),
        "license_included": has_license,
        "files": files,
    }


def _package_digests(data: bytes) -> dict:
    found = sealing.digests(data)
    return {"size": found.size, "sha256": found.sha256, "sm3": found.sm3}


def _store(package: ArchivePackage, data: bytes) -> ArchivePackage:
    """Save the ZIP, then its row and audit record in one transaction; when another worker
    archived the case meanwhile, drop this copy and return theirs."""
    package.package.save(f"{package.number}.zip", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            package.save(force_insert=True)
            audit.record(
                ACTOR,
                "archives.package.build",
                package,
                changes={
                    "case": [None, package.case.number],
                    "sha256": [None, package.sha256],
                    "sm3": [None, package.sm3],
                    "retention": [None, package.retention],
                },
            )
    except IntegrityError:
        package.package.delete(save=False)
        return ArchivePackage.objects.get(case_id=package.case_id)
    return package


# --- finding and reading -------------------------------------------------------------------


def visible(user):
    """The packages ``user`` may see (``rules``), with their cases."""
    packages = ArchivePackage.objects.select_related("case", "case__guide", "case__department")
    return access.scope(user, VIEW, packages)


def search(
    user,
    *,
    case_number: str = "",
    archive_number: str = "",
    item: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> tuple[list[ArchivePackage], str | None]:
    """One page of the packages ``user`` may see, newest first, and the next page's cursor.

    ``item``: the implementation code or a part of the item's name; ``since``/``until``: the
    day archived (inclusive, local time)."""
    if since and until and since > until:
        raise InvalidInput(fields={"until": ["结束日期不能早于开始日期 / until is before since"]})
    found = visible(user)
    if case_number.strip():
        found = found.filter(case__number=case_number.strip())
    if archive_number.strip():
        found = found.filter(number=archive_number.strip())
    if item.strip():
        term = item.strip()
        found = found.filter(
            Q(case__item__implementation_code=term) | Q(case__guide__name__icontains=term)
        )
    if since:
        found = found.filter(created_at__gte=start_of(since))
    if until:
        found = found.filter(created_at__lt=start_of(until + datetime.timedelta(days=1)))
    if cursor:
        found = found.filter(pk__lt=decode_cursor(cursor, 1)[0])
    limit = max(1, min(limit, MAX_LIMIT))
    rows = list(found.order_by("-pk")[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor([rows[limit - 1].pk])


def get(user, number: str) -> ArchivePackage:
    """The package filed as ``number`` if ``user`` may see it; ``NotFound`` otherwise."""
    found = visible(user).filter(number=number).first()
    if found is None:
        raise NotFound("未找到该档案", "No such archive")
    return found


def read_package(package: ArchivePackage) -> bytes:
    """The stored ZIP's bytes; ``NotFound`` when the file is gone."""
    try:
        with package.package.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise NotFound("档案包文件缺失", "The package file is missing") from exc


def read_file(package: ArchivePackage, path: str) -> bytes:
    """One file of the package, by its path in the manifest."""
    listed = {entry["path"] for entry in package.manifest.get("files", [])}
    if path not in listed and path not in packaging.CONTROL_FILES:
        raise NotFound("档案包中没有该文件", "No such file in the package")
    try:
        with zipfile.ZipFile(io.BytesIO(read_package(package))) as archive:
            return archive.read(path)
    except (zipfile.BadZipFile, KeyError, zlib.error) as exc:
        raise NotFound("档案包已损坏,无法读取该文件", "The file cannot be read") from exc


def record_download(user, package: ArchivePackage, path: str = "", request=None) -> None:
    """Audit who took a copy of an archive (the whole package when ``path`` is empty)."""
    with transaction.atomic():
        audit.record(
            user,
            "archives.package.download",
            package,
            note=path or "package",
            request=request,
        )


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
