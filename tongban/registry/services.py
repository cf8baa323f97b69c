"""The registries' public functions: look-ups, real-name verification, audited changes.

Other apps read people and entities through these (``registry.find_person(id_number)``,
``registry.verify_person(name, id_number)`` for real-name level L2), never the tables.
Every change is one transaction with an audit record whose values are masked.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from stdnum.cn import ric

from tongban.audit import services as audit
from tongban.audit.models import AuditRecord
from tongban.catalog.formdefs import MOBILE, id_number_error
from tongban.core.pii import blind_index, normalize
from tongban.core.pii.reveal import masked_changes, masked_snapshot
from tongban.errors import InvalidInput
from tongban.org.validators import normalize_uscc
from tongban.registry.models import LegalEntity, Person

PERSON_FIELDS = ("id_number", "name", "sex", "address", "phone", "division", "is_demo")
ENTITY_FIELDS = (
    "uscc",
    "name",
    "entity_type",
    "legal_rep_name",
    "legal_rep_id_number",
    "registered_address",
    "industry",
    "registered_capital",
    "status",
    "established_on",
    "is_demo",
)


@dataclass(frozen=True)
class Verification:
    """The answer to "do this name and ID number belong together?" (``code`` for programs,
    ``message`` in Chinese for people; the person only when they match)."""

    ok: bool
    code: str
    message: str
    person: Person | None = None


def normalize_id_number(value: str) -> str:
    return normalize(value, "id_number")


def sex_from_id_number(id_number: str) -> str:
    """The 17th character: odd for men, even for women (GB 11643-1999)."""
    return Person.Sex.MALE if int(id_number[16]) % 2 else Person.Sex.FEMALE


def birth_date_from_id_number(id_number: str) -> datetime.date:
    return ric.get_birth_date(id_number)


def find_person(id_number: str) -> Person | None:
    """The person with this ID number (any case, spaces ignored), or ``None``."""
    number = normalize_id_number(id_number)
    if not number:
        return None
    return Person.objects.filter(id_number_hash=blind_index(number, "id_number")).first()


def find_persons_by_phone(phone: str):
    return Person.objects.filter(phone_hash=blind_index(phone, "phone"))


def find_entity(uscc: str) -> LegalEntity | None:
    return LegalEntity.objects.filter(uscc=normalize_uscc(uscc)).first()


def verify_person(name: str, id_number: str) -> Verification:
    """Match a name and an ID number against the population base (real-name level L2)."""
    problem = id_number_error(id_number or "")
    if problem:
        code = "checksum" if "校验位" in problem else "format"
        return Verification(False, code, problem)
    person = find_person(id_number)
    if person is None:
        return Verification(
            False,
            "not_found",
            "人口库中没有该身份证号码的记录,请核对,或携带身份证到窗口办理 / "
            "the ID number is not in the population base",
        )
    if (name or "").strip() != str(person.name):
        return Verification(
            False,
            "name_mismatch",
            "姓名与身份证号码不一致,请核对后重新填写 / the name does not match the ID number",
        )
    return Verification(True, "match", "姓名与身份证号码一致 / name and ID number match", person)


def person_errors(values: dict, *, instance: Person | None = None) -> dict[str, list[str]]:
    """Every problem with these person values, field by field (empty when they are fine)."""
    errors: dict[str, list[str]] = {}
    number = normalize_id_number(values.get("id_number") or "")
    problem = id_number_error(number)
    if problem:
        errors["id_number"] = [problem]
    else:
        existing = find_person(number)
        if existing is not None and (instance is None or existing.pk != instance.pk):
            errors["id_number"] = ["该身份证号码已在人口库中 / already in the population base"]
        sex = values.get("sex")
        if sex and sex != sex_from_id_number(number):
            errors["sex"] = ["性别与身份证号码不符 / sex does not match the ID number"]
    if not (values.get("name") or "").strip():
        errors["name"] = ["请填写姓名 / name is required"]
    phone = normalize(values.get("phone") or "", "phone")
    if phone and not MOBILE.match(phone):
        errors["phone"] = ["手机号码应为11位数字,例如 13912345678 / a mainland mobile number"]
    return errors


def create_person(by, **values) -> Person:
    """Add a person; sex and birth date come from the ID number."""
    errors = person_errors(values)
    if errors:
        raise InvalidInput(fields=errors)
    person = Person()
    _set_person(person, values)
    with transaction.atomic():
        _full_clean(person)
        person.save()
        audit.record(
            by,
            "registry.person.create",
            person,
            changes=masked_changes(Person, {}, masked_snapshot(person)),
        )
    return person


def update_person(person: Person, by, **values) -> Person:
    merged = {name: getattr(person, name) for name in PERSON_FIELDS} | values
    if "sex" not in values:
        merged.pop("sex")  # derived again from a changed ID number
    errors = person_errors(merged, instance=person)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        before = masked_snapshot(person)
        _set_person(person, merged)
        _full_clean(person)
        changes = masked_changes(Person, before, masked_snapshot(person))
        if changes:
            person.save()
            audit.record(by, "registry.person.update", person, changes=changes)
    return person


def entity_errors(values: dict, *, instance: LegalEntity | None = None) -> dict[str, list[str]]:
    entity = LegalEntity(**_entity_values(values))
    if instance is not None:
        entity.pk, entity._state.adding = instance.pk, False
    errors: dict[str, list[str]] = {}
    try:
        entity.full_clean(exclude=["legal_rep_id_hash"])
    except ValidationError as error:
        errors = {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    rep_number = values.get("legal_rep_id_number") or ""
    if rep_number:
        problem = id_number_error(rep_number)
        if problem:
            errors.setdefault("legal_rep_id_number", []).append(problem)
    return errors


def create_entity(by, **values) -> LegalEntity:
    errors = entity_errors(values)
    if errors:
        raise InvalidInput(fields=errors)
    entity = LegalEntity(**_entity_values(values))
    with transaction.atomic():
        entity.save()
        audit.record(
            by,
            "registry.entity.create",
            entity,
            changes=masked_changes(LegalEntity, {}, masked_snapshot(entity)),
        )
    return entity


def update_entity(entity: LegalEntity, by, **values) -> LegalEntity:
    merged = {name: getattr(entity, name) for name in ENTITY_FIELDS} | values
    errors = entity_errors(merged, instance=entity)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        before = masked_snapshot(entity)
        for name, value in _entity_values(merged).items():
            setattr(entity, name, value)
        changes = masked_changes(LegalEntity, before, masked_snapshot(entity))
        if changes:
            entity.save()
            audit.record(by, "registry.entity.update", entity, changes=changes)
    return entity


def history(obj) -> list[AuditRecord]:
    """The object's change history, oldest first, from the audit log (values masked)."""
    return list(
        AuditRecord.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("at", "pk")
    )


def _set_person(person: Person, values: dict) -> None:
    number = normalize_id_number(values["id_number"])
    person.id_number = number
    person.name = values["name"].strip()
    person.sex = sex_from_id_number(number)
    person.birth_date = birth_date_from_id_number(number)
    person.address = (values.get("address") or "").strip()
    person.phone = normalize(values.get("phone") or "", "phone")
    person.division = (values.get("division") or "").strip()
    person.is_demo = bool(values.get("is_demo", False))


def _entity_values(values: dict) -> dict:
    found = {name: values[name] for name in ENTITY_FIELDS if name in values}
    if "uscc" in found:
        found["uscc"] = normalize_uscc(found["uscc"] or "")
    if found.get("legal_rep_id_number"):
        found["legal_rep_id_number"] = normalize_id_number(found["legal_rep_id_number"])
    return found


def _full_clean(obj) -> None:
    try:
        obj.full_clean(exclude=[f.name for f in obj._meta.fields if not f.editable])
    except ValidationError as error:
        raise InvalidInput(
            fields={name: [str(m) for m in msgs] for name, msgs in error.message_dict.items()}
        ) from error
