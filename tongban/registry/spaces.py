"""Person and enterprise spaces (一人一档 / 一企一档): what the platform holds about someone,
and who has read their personal data.

A space is read by its subject over the internet, so every personal value in it is masked:
the subject knows their own data and never needs it in full here. Who read it comes from
the audit log: every full read (``tongban.core.pii.reveal``) is a ``pii.reveal`` record on
the registry record (or on the person's account), naming the reader, field and purpose.

The other sections (``registry.sections``) are read from the apps that hold them, each a
page at a time (keyset on the id, newest first, one query a page with its related rows
joined): cases from every channel (``cases``), licenses (the wallet, ``licenses.wallet``),
materials on file (the latest of each name the person handed in, reusable when applying),
messages (``notify``), ratings given (``reviews``). An enterprise space lists the
enterprise's cases, licenses and the ratings of its cases, to those who may view it
(``enterprise_by_uscc``).
"""

import datetime
import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.audit.models import AuditRecord
from tongban.core import clock
from tongban.core.pii import mask
from tongban.core.pii.reveal import POLICY
from tongban.errors import InvalidInput, NotFound, PermissionDenied
from tongban.identity import access
from tongban.identity.enterprises import enterprises_of, scopes_for
from tongban.identity.models import Agent, EnterpriseAccount, Level, RealNameVerification
from tongban.org.models import ServiceCenter, StaffMembership
from tongban.org.validators import normalize_uscc
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor
from tongban.registry.models import LegalEntity, Person

READ_ACTION = "pii.reveal"
VIEW_PERSON = "registry.view_person_space"
VIEW_ENTERPRISE = "registry.view_enterprise_space"
CHANGE_ACTIONS = {
    "registry.person.create": _("建档"),
    "registry.person.update": _("更新"),
    "registry.entity.create": _("建档"),
    "registry.entity.update": _("更新"),
}
SUBJECTS = {
    "registry.person": _("人口库档案"),
    "registry.legalentity": _("法人库档案"),
    "identity.user": _("账号信息"),
}
PURPOSE = re.compile(r"用途[::]\s*(.*)\Z", re.DOTALL)
CHANGES_SHOWN = 20


class RealNameRequired(PermissionDenied):
    """The person has not reached L2, so the platform cannot tell which record is theirs."""

    message = "查看我的空间需要先完成实名认证(L2:姓名与身份证号码经人口库比对一致)"
    message_en = "Real-name verification (level L2) is needed to see your space"


@dataclass(frozen=True)
class DataRead:
    """One full read of personal data: when, by whom (masked), in what role, why, which."""

    id: int
    at: datetime.datetime
    reader: str
    department: str
    role: str
    purpose: str
    field: str
    field_label: str
    subject: str


@dataclass(frozen=True)
class Change:
    """A change to the registry record (values not shown, only which fields)."""

    at: datetime.datetime
    action: str
    fields: list[str]


@dataclass(frozen=True)
class VerificationEntry:
    at: datetime.datetime
    level: int
    level_label: str
    method: str
    method_label: str
    place: str
    verifier: str


@dataclass(frozen=True)
class Account:
    username: str
    phone: str
    real_name_level: int
    real_name_level_label: str
    verifications: list[VerificationEntry]


@dataclass(frozen=True)
class PersonProfile:
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


@dataclass(frozen=True)
class EnterpriseLink:
    uscc: str
    name: str
    role: str


@dataclass(frozen=True)
class PersonSpace:
    person: Person
    profile: PersonProfile
    account: Account
    enterprises: list[EnterpriseLink]
    changes: list[Change]


@dataclass(frozen=True)
class EntityProfile:
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


@dataclass(frozen=True)
class AgentEntry:
    name: str
    scopes: list[str]
    scope_labels: list[str]
    expires_on: datetime.date
    granted_at: datetime.datetime
    status: str
    status_label: str


@dataclass(frozen=True)
class EnterpriseSpace:
    enterprise: EnterpriseAccount
    profile: EntityProfile
    viewer_role: str
    viewer_scopes: list[str]
    is_legal_rep: bool
    agents: list[AgentEntry]
    changes: list[Change]


# --- the person space ---------------------------------------------------------------------


def own_person(user) -> Person:
    """The registry record of ``user`` (L2+): raises ``RealNameRequired`` below L2."""
    if not access.can(user, VIEW_PERSON):
        raise RealNameRequired()
    person = Person.objects.filter(id_number_hash=user.id_number_hash).first()
    if person is None:
        raise NotFound(
            "人口库中没有您的档案,请携带身份证到政务服务中心窗口核实",
            "Your record is not in the population base",
        )
    access.require(user, VIEW_PERSON, person)
    return person


def person_space(user) -> PersonSpace:
    """What the platform holds about the signed-in person, masked; reads are separate
    (``data_reads``) because they are paginated."""
    person = own_person(user)
    return PersonSpace(
        person=person,
        profile=_person_profile(person),
        account=_account(user),
        enterprises=_enterprise_links(user),
        changes=_changes(person),
    )


def _person_profile(person: Person) -> PersonProfile:
    town, village = _division_names(person.division)
    return PersonProfile(
        name=mask(person.name, "name"),
        id_number=mask(person.id_number, "id_number"),
        sex=str(person.get_sex_display()),
        birth_date=person.birth_date,
        address=mask(person.address, "address"),
        phone=mask(person.phone, "phone"),
        division=person.division,
        town=town,
        village=village,
        updated_at=person.updated_at,
    )


def _division_names(code: str) -> tuple[str, str]:
    """The town and village names of a division code, from the service network if known."""
    if not code:
        return "", ""
    codes = {code[:9], code} if len(code) == 12 else {code}
    names = dict(
        ServiceCenter.objects.filter(statistical_code__in=codes).values_list(
            "statistical_code", "division_name"
        )
    )
    village = names.get(code, "") if len(code) == 12 else ""
    return names.get(code[:9], ""), village.removesuffix("(演示)")


def _account(user) -> Account:
    verifications = RealNameVerification.objects.filter(user=user).select_related(
        "verified_by", "window__center"
    )
    return Account(
        username=user.get_username(),
        phone=mask(user.phone, "phone"),
        real_name_level=user.real_name_level,
        real_name_level_label=str(Level(user.real_name_level).label),
        verifications=[_verification(v) for v in verifications],
    )


def _verification(entry: RealNameVerification) -> VerificationEntry:
    place = f"{entry.window.center.name} {entry.window}" if entry.window_id else entry.kiosk
    verifier = entry.verified_by
    return VerificationEntry(
        at=entry.created_at,
        level=entry.level,
        level_label=str(entry.get_level_display()),
        method=entry.method,
        method_label=str(entry.get_method_display()),
        place=place,
        verifier=mask(verifier.display_name, "name") if verifier else "",
    )


def _enterprise_links(user) -> list[EnterpriseLink]:
    links = []
    for enterprise in enterprises_of(user):
        if Agent.Scope.VIEW not in scopes_for(user, enterprise):
            continue
        role = _("法定代表人") if enterprise.legal_rep_id == user.pk else _("经办人")
        entity = enterprise.legal_entity
        links.append(EnterpriseLink(uscc=entity.uscc, name=entity.name, role=str(role)))
    return links


# --- the enterprise space -----------------------------------------------------------------


def enterprise_by_uscc(user, uscc: str) -> EnterpriseAccount:
    """The enrolled enterprise with this credit code, if ``user`` may view its space."""
    enterprise = (
        EnterpriseAccount.objects.select_related("legal_entity")
        .filter(legal_entity__uscc=normalize_uscc(uscc or ""))
        .first()
    )
    if enterprise is None:
        raise NotFound("该企业尚未开通法人账号", "No enterprise account with this credit code")
    if not access.can(user, VIEW_ENTERPRISE, enterprise):
        raise PermissionDenied(
            "只有该企业的法定代表人和有“查看”授权的经办人可以查看企业空间",
            "Only the legal representative and agents with the view scope may see this",
        )
    return enterprise


def enterprise_space(user, enterprise: EnterpriseAccount) -> EnterpriseSpace:
    """The legal-entity record, masked; agents and their scopes for the legal representative."""
    access.require(user, VIEW_ENTERPRISE, enterprise)
    is_rep = enterprise.legal_rep_id == user.pk
    entity = enterprise.legal_entity
    return EnterpriseSpace(
        enterprise=enterprise,
        profile=_entity_profile(entity),
        viewer_role=str(_("法定代表人") if is_rep else _("经办人")),
        viewer_scopes=sorted(scopes_for(user, enterprise)),
        is_legal_rep=is_rep,
        agents=_agents(enterprise) if is_rep else [],
        changes=_changes(entity),
    )


def _entity_profile(entity: LegalEntity) -> EntityProfile:
    capital = entity.registered_capital
    return EntityProfile(
        uscc=entity.uscc,
        name=entity.name,
        entity_type=str(entity.get_entity_type_display()),
        legal_rep_name=mask(entity.legal_rep_name, "name"),
        legal_rep_id_number=mask(entity.legal_rep_id_number, "id_number"),
        registered_address=entity.registered_address,
        industry=entity.industry,
        registered_capital="" if capital is None else f"{capital.normalize():f}",
        status=str(entity.get_status_display()),
        established_on=entity.established_on,
        updated_at=entity.updated_at,
    )


def _agents(enterprise: EnterpriseAccount) -> list[AgentEntry]:
    labels = dict(Agent.Scope.choices)
    today = clock.today()
    entries = []
    for agent in enterprise.agents.select_related("user"):
        status, label = _agent_status(agent, today)
        entries.append(
            AgentEntry(
                name=mask(agent.user.display_name, "name"),
                scopes=list(agent.scopes),
                scope_labels=[str(labels.get(scope, scope)) for scope in agent.scopes],
                expires_on=agent.expires_on,
                granted_at=agent.granted_at,
                status=status,
                status_label=str(label),
            )
        )
    return entries


def _agent_status(agent: Agent, today: datetime.date):
    if agent.revoked_at is not None:
        return "revoked", _("已撤销")
    if agent.expires_on < today:
        return "expired", _("已过期")
    return "valid", _("有效")


# --- changes and reads, from the audit log ------------------------------------------------


def _changes(obj) -> list[Change]:
    """The latest changes to a registry record, newest first: which fields, never values."""
    records = AuditRecord.objects.filter(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action__in=list(CHANGE_ACTIONS),
    ).order_by("-pk")[:CHANGES_SHOWN]
    return [
        Change(
            at=record.at,
            action=str(CHANGE_ACTIONS[record.action]),
            fields=[_field_label(type(obj), name) for name in sorted(record.changes)],
        )
        for record in records
    ]


def data_reads(subject: Person | LegalEntity, *, cursor: str | None = None, limit=DEFAULT_LIMIT):
    """Who read ``subject``'s personal data in full, newest first: one page of ``DataRead``
    and the cursor of the next page (``None`` on the last).

    A person's reads include those of their account's phone or ID number. Keyset on the
    record id, descending (records are appended in time order): three queries a page.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    records = AuditRecord.objects.filter(action=READ_ACTION).filter(_targets(subject))
    records = records.select_related("actor").order_by("-pk")
    if cursor:
        records = records.filter(pk__lt=_cursor_id(cursor))
    found = list(records[: limit + 1])
    next_cursor = encode_cursor([found[limit - 1].pk]) if len(found) > limit else None
    found = found[:limit]
    memberships = _memberships_of({r.actor_id for r in found if r.actor_id})
    return [_read(r, memberships.get(r.actor_id, [])) for r in found], next_cursor


def _targets(subject) -> Q:
    targets = Q(object_type=subject._meta.label_lower, object_id=str(subject.pk))
    if isinstance(subject, Person):
        user_model = get_user_model()
        account_ids = [
            str(pk)
            for pk in user_model.objects.filter(id_number_hash=subject.id_number_hash).values_list(
                "pk", flat=True
            )
        ]
        if account_ids:
            targets |= Q(object_type=user_model._meta.label_lower, object_id__in=account_ids)
    return targets


def _cursor_id(cursor: str) -> int:
    (value,) = decode_cursor(cursor, 1)
    if not isinstance(value, int):
        raise InvalidInput(fields={"cursor": ["分页游标无效,请从第一页重新开始 / invalid cursor"]})
    return value


def _memberships_of(user_ids: set[int]) -> dict[int, list[StaffMembership]]:
    found: dict[int, list[StaffMembership]] = {}
    memberships = StaffMembership.objects.filter(user_id__in=user_ids).select_related("department")
    for membership in memberships.order_by("pk"):
        found.setdefault(membership.user_id, []).append(membership)
    return found


def _read(record: AuditRecord, memberships: list[StaffMembership]) -> DataRead:
    model = _model(record.object_type)
    name = str((record.changes or {}).get("field", ""))
    kind = _field_kind(model, name)
    membership = membership_at(memberships, record.at, kind)
    match = PURPOSE.search(record.note or "")
    return DataRead(
        id=record.pk,
        at=record.at,
        reader=_reader_name(record),
        department=membership.department.name if membership else "",
        role=str(membership.get_role_display()) if membership else "",
        purpose=match.group(1).strip() if match else "",
        field=name,
        field_label=_field_label(model, name) if model else name,
        subject=str(SUBJECTS.get(record.object_type, record.object_type)),
    )


def membership_at(
    memberships: list[StaffMembership], at: datetime.datetime, kind: str | None
) -> StaffMembership | None:
    """The membership a reader most likely read under.

    Memberships with recorded dates that cover the read count first; without them, those in
    force now; failing both, any. Among them, one whose role may read the field's kind.
    """
    day = timezone.localdate(at)
    today = clock.today()
    dated = [m for m in memberships if (m.valid_from or m.valid_to) and _covers(m, day)]
    current = [m for m in memberships if m.is_active and _covers(m, today)]
    pool = dated or current or memberships
    allowed = [m for m in pool if kind and kind in POLICY.get(m.role, ())]
    return (allowed or pool or [None])[0]


def _covers(membership: StaffMembership, day: datetime.date) -> bool:
    starts, ends = membership.valid_from, membership.valid_to
    return (starts is None or starts <= day) and (ends is None or day <= ends)


def _reader_name(record: AuditRecord) -> str:
    actor = record.actor
    if actor is None:
        return str(_("系统"))
    return mask(actor.display_name, "name")


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field_kind(model, name: str) -> str | None:
    try:
        return getattr(model._meta.get_field(name), "pii_kind", None) if model else None
    except FieldDoesNotExist:
        return None


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
