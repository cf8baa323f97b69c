"""The wallet's API under /api/v1/licenses/ (docs/wallet.md): my licenses, their access log
and PDF, showing one by QR code (扫码亮证) and a verifier's scan.

Thin: parse, call ``wallet`` / ``showing``, shape the answer.
"""

import dataclasses
import datetime

from django.http import FileResponse
from ninja import Field, Query, Router, Schema, Status

from tongban.errors import InvalidInput
from tongban.identity.apiauth import UserAuth
from tongban.licenses import showing, wallet
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor

router = Router(tags=["licenses"])
holder_auth = UserAuth()


class WalletLicenseOut(Schema):
    identifier: str
    name: str = Field(description="证照名称")
    type_code: str
    number: str = Field(description="证照编号")
    version: int
    holder_type: str = Field(description="person 自然人 / enterprise 法人")
    holder_name: str
    enterprise_uscc: str | None = Field(description="持证单位的统一社会信用代码(法人证照)")
    issuer: str = Field(description="颁证单位")
    issued_on: datetime.date
    valid_from: datetime.date
    valid_to: datetime.date | None = Field(description="为空表示长期有效")
    state: str = Field(description="valid / revoked / expired / superseded")
    state_label: str
    has_pdf: bool


class LicensePage(Schema):
    items: list[WalletLicenseOut]
    next_cursor: str | None


class AccessOut(Schema):
    kind: str = Field(description="show 亮证 / view 扫码查看 / verify 核验 / use 用证 / download")
    kind_label: str
    at: datetime.datetime
    actor: str = Field(description="操作人或查看方")
    case_number: str | None
    note: str


class AccessPage(Schema):
    items: list[AccessOut]
    next_cursor: str | None


class WalletQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class ShowIn(Schema):
    single_use: bool = Field(True, description="一次有效(默认);false 为在有效时长内可多次查看")
    seconds: int | None = Field(
        None,
        ge=showing.MIN_SECONDS,
        le=showing.MAX_SECONDS,
        description="有效时长(秒),默认 LICENSE_SHOW_SECONDS(300)",
    )


class ShowOut(Schema):
    token: str = Field(description="签名的亮证令牌")
    url: str = Field(description="二维码承载的查看地址")
    single_use: bool
    expires_at: datetime.datetime
    qr_png_base64: str = Field(description="二维码图片(PNG,Base64)")


class ScanQuery(Schema):
    verifier: str = Field(
        "", max_length=showing.LABEL_MAX, description="查看方(未登录时必填,如“某某酒店前台”)"
    )


class SurfaceOut(Schema):
    identifier: str
    name: str
    type_code: str
    number: str
    holder_name: str
    holder_code: str = Field(description="持证主体代码(已脱敏)")
    issuer: str
    issued_on: datetime.date
    valid_from: datetime.date
    valid_to: datetime.date | None
    state: str
    state_label: str
    viewed_at: datetime.datetime
    single_use: bool


def license_out(license) -> dict:
    enterprise = license.holder_enterprise
    return {
        "identifier": license.identifier,
        "name": license.license_type.name,
        "type_code": license.license_type.code,
        "number": license.number,
        "version": license.version,
        "holder_type": license.holder_type,
        "holder_name": license.holder_name,
        "enterprise_uscc": enterprise.legal_entity.uscc if enterprise else None,
        "issuer": license.issuer.name,
        "issued_on": license.issued_on,
        "valid_from": license.valid_from,
        "valid_to": license.valid_to,
        "state": wallet.state(license),
        "state_label": wallet.state_label(license),
        "has_pdf": bool(license.pdf),
    }


@router.get("/mine", response=LicensePage, auth=holder_auth, summary="我的证照(含代表法人的证照)")
def my_licenses(request, query: Query[WalletQuery]):
    rows, cursor = wallet.my_licenses(request.auth, cursor=query.cursor, limit=query.limit)
    return {"items": [license_out(row) for row in rows], "next_cursor": cursor}


@router.get(
    "/mine/{identifier}", response=WalletLicenseOut, auth=holder_auth, summary="我的证照详情"
)
def my_license(request, identifier: str):
    return license_out(wallet.my_license(request.auth, identifier))


@router.get(
    "/mine/{identifier}/accesses",
    response=AccessPage,
    auth=holder_auth,
    summary="证照使用记录(亮证、扫码查看、核验、用证、下载)",
)
def accesses(request, identifier: str, query: Query[WalletQuery]):
    license = wallet.my_license(request.auth, identifier)
    before = decode_cursor(query.cursor, 1)[0] if query.cursor else None
    if before is not None and not isinstance(before, int):
        raise InvalidInput(fields={"cursor": ["分页游标无效 / invalid cursor"]})
    rows, next_before = wallet.access_log(license, before=before, limit=query.limit)
    return {
        "items": [access_out(row) for row in rows],
        "next_cursor": encode_cursor([next_before]) if next_before else None,
    }


def access_out(row) -> dict:
    return {
        "kind": row.kind,
        "kind_label": row.get_kind_display(),
        "at": row.at,
        "actor": row.actor_label or (row.actor.display_name if row.actor_id else ""),
        "case_number": row.case.number if row.case_id else None,
        "note": row.note,
    }


@router.get("/mine/{identifier}/pdf", auth=holder_auth, summary="下载证照文件(PDF)")
def my_license_pdf(request, identifier: str):
    license = wallet.my_license(request.auth, identifier)
    return pdf_response(license, wallet.download(license, by=request.auth, request=request))


def pdf_response(license, handle) -> FileResponse:
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{license.identifier}.pdf",
        content_type="application/pdf",
    )


@router.post(
    "/{identifier}/show",
    response={201: ShowOut},
    auth=holder_auth,
    summary="亮证:生成短时有效的二维码",
)
def show(request, identifier: str, payload: ShowIn | None = None):
    license = wallet.my_license(request.auth, identifier)
    payload = payload or ShowIn()
    token = showing.create_show(
        license,
        by=request.auth,
        single_use=payload.single_use,
        seconds=payload.seconds,
        request=request,
    )
    url = request.build_absolute_uri(showing.scan_path(token))
    return Status(
        201,
        {
            "token": showing.signed_token(token),
            "url": url,
            "single_use": token.single_use,
            "expires_at": token.expires_at,
            "qr_png_base64": showing.qr_data_uri(url).split(",", 1)[1],
        },
    )


@router.get(
    "/scan/{token}",
    response=SurfaceOut,
    auth=None,
    summary="扫码查看亮证的证照",
    description="持有链接者均可查看;已登录账号按账号记录,未登录须填写查看方(verifier)。"
    "令牌被篡改 400,已过期、已使用或证照已失效 410。/ Anyone with the link; an anonymous "
    "verifier names themselves. Tampered 400; expired, used or license not in force 410.",
)
def scan(request, token: str, query: Query[ScanQuery]):
    viewer = holder_auth(request)
    show = showing.check(token, ip=request.META.get("REMOTE_ADDR"))
    found = showing.view(show, viewer=viewer, label=query.verifier, request=request)
    return dataclasses.asdict(found)
