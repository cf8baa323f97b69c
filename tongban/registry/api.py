"""The person and enterprise spaces (一人一档 / 一企一档) over the API, for the signed-in person.

Every value is masked. Reads of personal data are keyset-paginated, newest first:
``{"items": [...], "next_cursor": "..." | null}``; pass ``next_cursor`` back as ``cursor``.
Someone else's space answers 403, a person below real-name level L2 too (with a message
saying so).
"""

import datetime

from ninja import Field, Query, Router, Schema

from tongban.errors import InvalidInput
from tongban.identity.apiauth import UserAuth
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from tongban.registry import sections, spaces

router = Router(tags=["spaces"], auth=UserAuth())


class SpaceProfileOut(Schema):
    """人口库档案(脱敏)/ the person's registry record, masked."""

    name: str
    id_number: str
    sex: str
    birth_date: datetime.date
    address: str
    phone: str
    division: str
    town: str
    village: str
    updated_at: datetime.datetime


class SpaceVerificationOut(Schema):
    """实名核验记录 / one real-name verification."""

    at: datetime.datetime
    level: int
    level_label: str
    method: str
    method_label: str
    place: str
    verifier: str


class SpaceAccountOut(Schema):
    """账号与实名等级 / the account and its real-name level."""

    username: str
    phone: str
    real_name_level: int
    real_name_level_label: str
    verifications: list[SpaceVerificationOut]


class SpaceEnterpriseLinkOut(Schema):
    uscc: str
    name: str
    role: str


class SpaceChangeOut(Schema):
    """档案变更 / a change to the registry record: which fields, never the values."""

    at: datetime.datetime
    action: str
    fields: list[str]


class PersonSpaceOut(Schema):
    """我的空间(一人一档)/ the person space."""

    profile: SpaceProfileOut
    account: SpaceAccountOut
    enterprises: list[SpaceEnterpriseLinkOut]
    changes: list[SpaceChangeOut]


class SpaceEntityOut(Schema):
    """法人库档案(法定代表人信息脱敏)/ the legal-entity record."""

    uscc: str
    name: str
    entity_type: str
    legal_rep_name: str
    legal_rep_id_number: str
    registered_address: str
    industry: str
    registered_capital: str
    status: str
    established_on: datetime.date | None
    updated_at: datetime.datetime


class SpaceAgentOut(Schema):
    """经办人授权 / an agent and their scopes (shown to the legal representative only)."""

    name: str
    scopes: list[str]
    scope_labels: list[str]
    expires_on: datetime.date
    granted_at: datetime.datetime
    status: str
    status_label: str


class EnterpriseSpaceOut(Schema):
    """企业空间(一企一档)/ the enterprise space; ``agents`` is empty for agents."""

    profile: SpaceEntityOut
    viewer_role: str
    viewer_scopes: list[str]
    is_legal_rep: bool
    agents: list[SpaceAgentOut]
    changes: list[SpaceChangeOut]


class DataReadOut(Schema):
    """一次个人信息查阅 / one full read of personal data; the reader's name is masked."""

    id: int
    at: datetime.datetime
    reader: str
    department: str
    role: str
    purpose: str
    field: str
    field_label: str
    subject: str


class DataReadPage(Schema):
    items: list[DataReadOut]
    next_cursor: str | None


class MaterialOnFileOut(Schema):
    """我提交过的材料 / a material on file: the latest of its name handed in with a case.
    Reuse it when applying with ``{"spec": …, "reference": {"source": "case", "id": "<id>"}}``."""

    id: int
    name: str
    case_number: str
    submitted_at: datetime.datetime
    content_type: str
    size: int | None


class MaterialPage(Schema):
    items: list[MaterialOnFileOut]
    next_cursor: str | None


class MaterialsQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class ReadsQuery(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


def _reads(subject, query: ReadsQuery) -> dict:
    items, next_cursor = spaces.data_reads(subject, cursor=query.cursor, limit=query.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/me", response=PersonSpaceOut, summary="我的空间(一人一档)/ My space")
def my_space(request):
    return spaces.person_space(request.user)


@router.get("/me/reads", response=DataReadPage, summary="谁查看了我的个人信息 / Reads of my data")
def my_reads(request, query: Query[ReadsQuery]):
    return _reads(spaces.own_person(request.user), query)


@router.get(
    "/me/materials",
    response=MaterialPage,
    summary="我提交过的材料(可复用)/ My materials on file",
)
def my_materials(request, query: Query[MaterialsQuery]):
    spaces.own_person(request.user)
    items, next_before = sections.materials_on_file(
        request.user, before=_before(query.cursor), limit=query.limit
    )
    return {"items": items, "next_cursor": encode_cursor([next_before]) if next_before else None}


def _before(cursor: str | None) -> int | None:
    if not cursor:
        return None
    (value,) = decode_cursor(cursor, 1)
    if not isinstance(value, int):
        raise InvalidInput(fields={"cursor": ["分页游标无效,请从第一页重新开始 / invalid cursor"]})
    return value


@router.get(
    "/enterprises/{uscc}",
    response=EnterpriseSpaceOut,
    summary="企业空间(一企一档)/ Enterprise space",
)
def enterprise_space(request, uscc: str):
    enterprise = spaces.enterprise_by_uscc(request.user, uscc)
    return spaces.enterprise_space(request.user, enterprise)


@router.get(
    "/enterprises/{uscc}/reads",
    response=DataReadPage,
    summary="谁查看了企业的信息 / Reads of the enterprise's data",
)
def enterprise_reads(request, uscc: str, query: Query[ReadsQuery]):
    enterprise = spaces.enterprise_by_uscc(request.user, uscc)
    return _reads(enterprise.legal_entity, query)
