"""Export for the archives bureau (移交进馆): a ZIP of packages and their index.

The ZIP holds ``packages/<档号>.zip`` (each package as stored) and ``index.csv`` (UTF-8 with
a BOM, so Excel opens it): archive and case numbers, item, department, result, dates,
retention, size, SHA-256, SM3 and the last fixity status, one row per package. The bureau
checks each package against the index and each file against the package's own manifest.
"""

import csv
import datetime
import io
import zipfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from tongban.archives import services
from tongban.archives.models import ArchivePackage
from tongban.audit import services as audit
from tongban.core import clock
from tongban.errors import NotFound

INDEX = "index.csv"
COLUMNS = (
    ("档号", lambda p: p.number),
    ("办件编号", lambda p: p.case.number),
    ("事项", lambda p: p.case.guide.name),
    ("承办部门", lambda p: p.case.department.name),
    ("办理结果", lambda p: p.result_type),
    ("办结时间", lambda p: _local(p.case.concluded_at)),
    ("归档时间", lambda p: _local(p.created_at)),
    ("保管期限", lambda p: p.get_retention_display()),
    ("保管至", lambda p: p.keep_until.isoformat() if p.keep_until else "永久"),
    ("大小(字节)", lambda p: p.size),
    ("SHA-256", lambda p: p.sha256),
    ("SM3", lambda p: p.sm3),
    ("完整性状态", lambda p: p.status),
    ("文件", lambda p: member_name(p)),
)


def packages_between(since: datetime.date, until: datetime.date | None = None):
    """Packages archived from ``since`` (and up to ``until``, inclusive), oldest first."""
    found = ArchivePackage.objects.select_related("case", "case__guide", "case__department")
    found = found.filter(created_at__gte=services.start_of(since))
    if until:
        found = found.filter(created_at__lt=services.start_of(until + datetime.timedelta(1)))
    return found.order_by("created_at", "pk")


def member_name(package: ArchivePackage) -> str:
    return f"packages/{package.number}.zip"


def write(packages, target, *, by) -> int:
    """Write the export ZIP of ``packages`` to the binary file ``target``; how many went in.
    A package whose file is gone is listed with status ``missing`` and no file."""
    rows = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for package in packages:
            try:
                archive.writestr(member_name(package), services.read_package(package))
            except NotFound:
                package.status = ArchivePackage.Status.MISSING
            rows.append(package)
        archive.writestr(INDEX, index_csv(rows))
    with transaction.atomic():
        audit.record(
            by,
            "archives.export",
            object_type="archives.archivepackage",
            object_id="export",
            object_repr=f"{len(rows)} 件",
            changes={"numbers": [None, [p.number for p in rows][:1000]]},
        )
    return len(rows)


def write_to_dir(since: datetime.date, directory: Path, *, by, until=None) -> tuple[Path, int]:
    """``manage.py archives_export``: the export ZIP of packages since ``since`` in
    ``directory``; its path and how many packages it holds."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = clock.today().isoformat()
    path = directory / f"archives-{since.isoformat()}-{stamp}.zip"
    with path.open("wb") as target:
        count = write(packages_between(since, until).iterator(chunk_size=200), target, by=by)
    return path, count


def index_csv(packages) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([title for title, _value in COLUMNS])
    for package in packages:
        writer.writerow([value(package) for _title, value in COLUMNS])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""
