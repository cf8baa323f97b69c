"""The archives API under /api/v1/archives (mounted in ``tongban/api.py``).

Signed-in staff (``UserAuth``: a TOTP-verified session or a platform bearer token) who may
read archives (``rules``): the archives of their department's cases, or all of them for
supervisors and system administrators. A package outside the caller's reach is a 404.
"""

import datetime

from django.urls import reverse
from ninja import Field, Query, Router, Schema

from tongban.archives import services
from tongban.identity import access
from tongban.identity.apiauth import UserAuth
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = Router(tags=["archives"], auth=UserAuth())


class ArchivesQuery(Schema):
    case_number: str = Field("", max_length=32, description="办件编号")
    archive_number: str = Field("", max_length=64, description="档号")
    item: str = Field("", max_length=100, description="事项实施编码或名称的一部分")
    since: datetime.date | None = Field(None, description="归档日期起(含)")
    until: datetime.date | None = Field(None, description="归档日期止(含)")
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class ArchiveSummary(Schema):
    number: str = Field(description="档号")
    case_number: str
    item: str
    department: str
    result_type: str
    retention: str = Field(description="保管期限代码:Y 永久,D30 定期30年,D10 定期10年")
    keep_until: datetime.date | None = Field(description="保管至(永久为空)")
    created_at: datetime.datetime
    status: str = Field(description="ok 完好,tampered 已被篡改,missing 文件缺失")
    sha256: str
    sm3: str


class ArchivePage(Schema):
    results: list[ArchiveSummary]
    next_cursor: str | None


class ManifestFile(Schema):
    path: str
    size: int
    sha256: str
    sm3: str


class FixityOut(Schema):
    at: datetime.datetime
    ok: bool
    findings: list[dict]


class ArchiveOut(ArchiveSummary):
    size: int
    signature: str = Field(description="清单的 SM2 签名(Base64 DER)")
    signer_public_key: str
    license_included: bool
    last_checked_at: datetime.datetime | None
    files: list[ManifestFile]
    checks: list[FixityOut] = Field(description="最近 20 次完整性校验")
    package_url: str


@router.get("", response=ArchivePage, summary="检索电子档案")
def list_archives(request, query: Query[ArchivesQuery]):
    access.require(request.auth, "archives.view")
    rows, next_cursor = services.search(
        request.auth,
        case_number=query.case_number,
        archive_number=query.archive_number,
        item=query.item,
        since=query.since,
        until=query.until,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"results": [_summary(p) for p in rows], "next_cursor": next_cursor}


@router.get("/{number}", response=ArchiveOut, summary="电子档案详情(清单与完整性校验记录)")
def get_archive(request, number: str):
    package = services.get(request.auth, number)
    return {
        **_summary(package),
        "size": package.size,
        "signature": package.signature,
        "signer_public_key": package.signer_public_key,
        "license_included": package.has_license,
        "last_checked_at": package.last_checked_at,
        "files": package.manifest.get("files", []),
        "checks": list(package.checks.all()[:20]),
        "package_url": request.build_absolute_uri(
            reverse("archives:package", args=[package.number])
        ),
    }


def _summary(package) -> dict:
    return {
        "number": package.number,
        "case_number": package.case.number,
        "item": package.case.guide.name,
        "department": package.case.department.name,
        "result_type": package.result_type,
        "retention": package.retention,
        "keep_until": package.keep_until,
        "created_at": package.created_at,
        "status": package.status,
        "sha256": package.sha256,
        "sm3": package.sm3,
    }
