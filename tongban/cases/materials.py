"""Submitted materials: checking them against the guide's list, and storing them.

A material is given as a dict::

    {"spec": 12, "file": <File or UploadedFile>}                 # an upload
    {"spec": 12, "reference": {"source": "license", "id": "…"}}  # data held elsewhere
    {"spec": 12, "reference": {"source": "case", "id": "345"}}    # a file handed in before

A required material (``MaterialSpec.Requirement.REQUIRED``) that the registries can stand
for (``shared_data_item`` ``registry.person`` / ``registry.entity``) is attached as a
reference by the platform when the applicant's record is found (免于提交). Files go through
Django's storage under a generated name (never the applicant's file name), with their SHA-256.

A ``case`` reference reuses a file the same applicant handed in with an earlier case of
theirs (材料复用, the materials on file of their space): the new material is an upload that
points at the same stored file (same name, same SHA-256), its ``reference_id`` naming the
earlier material; anyone else's material is refused.
"""

import contextlib
import hashlib
import mimetypes
import os
import uuid
from dataclasses import dataclass

from tongban.cases import storing
from tongban.cases.models import Material
from tongban.catalog.models import MaterialSpec
from tongban.core import clock, uploads
from tongban.registry import services as registry

MAX_BYTES = 20 * 1024 * 1024
CONTENT_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/ofd": ".ofd",
}
KINDS = ("pdf", "jpeg", "png", "ofd")  # tongban.core.uploads checks bytes, type and name
EARLIER = "case"  # a reference to a material of an earlier case of the same applicant
REFERENCE_SOURCES = frozenset(
    {
        Material.Source.PERSON,
        Material.Source.ENTITY,
        Material.Source.LICENSE,
        Material.Source.BUNDLE,
        EARLIER,
    }
)
Errors = dict[str, list[str]]


@dataclass
class Prepared:
    spec: MaterialSpec | None
    name: str
    source: str
    file: object = None
    content_type: str = ""
    reference_id: str = ""
    license: object = None  # the e-license a "license" reference names (licenses.uses)
    shared: object = None  # the material a "bundle" reference names (bundles.services)


def prepare(
    guide, given, *, user, enterprise=None, provided_specs=(), person=None
) -> tuple[list, Errors]:
    """The materials ready to store and the errors, by ``materials.<spec id>`` or
    ``materials[<index>]``. ``provided_specs``: specs already on the case (resubmission)."""
    specs = {spec.pk: spec for spec in guide.materials.all()}
    prepared, errors = [], {}
    for index, item in enumerate(given or ()):
        entry, problem = _one(item, specs)
        if not problem and entry.source == Material.Source.LICENSE:
            problem = _license_of(entry, user, enterprise)
        if not problem and entry.source == Material.Source.BUNDLE:
            problem = _shared_of(entry, user)
        if not problem and entry.source == EARLIER:
            problem = _earlier_of(entry, user)
        if problem:
            errors[f"materials[{index}]"] = [problem]
        else:
            prepared.append(entry)
    covered = {p.spec.pk for p in prepared if p.spec} | set(provided_specs)
    for spec in specs.values():
        if spec.requirement != MaterialSpec.Requirement.REQUIRED or spec.pk in covered:
            continue
        shared = _shared(spec, user, enterprise, person)
        if shared:
            prepared.append(shared)
        else:
            errors[f"materials.{spec.pk}"] = [f"请提交“{spec.name}” / this material is required"]
    return prepared, errors


def _one(item, specs) -> tuple[Prepared | None, str | None]:
    if not isinstance(item, dict):
        return None, "材料格式不正确 / a material is {spec, file} or {spec, reference}"
    spec = specs.get(_spec_id(item.get("spec")))
    if item.get("spec") is not None and spec is None:
        return None, "不是本事项办事指南列出的材料 / not a material of this guide"
    name = spec.name if spec else str(item.get("name") or "").strip()[:200]
    if not name:
        return None, "请说明材料名称 / name the material"
    if "reference" in item:
        return _reference(spec, name, item["reference"])
    return _upload(spec, name, item.get("file"))


def _spec_id(value):
    if isinstance(value, MaterialSpec):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _reference(spec, name, reference) -> tuple[Prepared | None, str | None]:
    source = (reference or {}).get("source") if isinstance(reference, dict) else None
    ref_id = str((reference or {}).get("id") or "").strip() if isinstance(reference, dict) else ""
    if source not in REFERENCE_SOURCES or not ref_id or len(ref_id) > 100:
        return None, "引用的数据来源或标识不正确 / unknown reference source or id"
    return Prepared(spec, name, source, reference_id=ref_id), None


def _license_of(entry: Prepared, user, enterprise) -> str | None:
    """An e-license given instead of a material (用证): the applicant's own, or the
    enterprise's they act for, in force today and of the type the material names. The
    license is kept on the entry: the intake records the holder's consent to its use."""
    from tongban.licenses import uses

    found = uses.usable_by_identifier(user, entry.reference_id, enterprise=enterprise)
    if found is None:
        return "没有您可以使用的该电子证照(须为本人或所代表法人的有效证照) / no usable license"
    if entry.spec is not None and found.license_type.code != entry.spec.license_type_code:
        return f"该电子证照不能替代“{entry.name}” / this license does not satisfy the material"
    entry.license = found
    return None


def _shared_of(entry: Prepared, user) -> str | None:
    """A material handed in once for a 一件事 filing of ``user``'s: the child case points at
    the same stored file (same name, same SHA-256) instead of a copy."""
    from tongban.bundles import services as bundles

    found = bundles.shared_material(user, entry.reference_id)
    if found is None:
        return "没有找到该一件事共享材料 / no such shared material of yours"
    entry.shared = found
    return None


def _earlier_of(entry: Prepared, user) -> str | None:
    """A file ``user`` handed in with an earlier case of theirs (not replaced since): stored
    again as an upload of the same file, its ``reference_id`` naming the earlier material."""
    found = None
    if entry.reference_id.isdigit():
        found = (
            Material.objects.filter(
                pk=int(entry.reference_id), case__applicant=user, superseded=False
            )
            .exclude(file="")
            .first()
        )
    if found is None:
        return "没有找到您以前提交过的该材料 / no such earlier material of yours"
    entry.source, entry.shared = Material.Source.UPLOAD, found
    return None


def authorize_licenses(case, prepared: list[Prepared], *, by) -> None:
    """The holder's consent to each e-license used instead of a material, for this case."""
    from tongban.licenses import uses

    for entry in prepared:
        if entry.license is not None:
            uses.authorize_use(entry.license, case=case, by=by, spec=entry.spec)


def check_upload(name: str, file) -> str | None:
    """What is wrong with an uploaded file (size, type, first bytes), or ``None``."""
    return _upload(None, name, file)[1]


def content_type_of(file) -> str:
    """The type of an upload that ``check_upload`` accepted (as its bytes show it)."""
    kind = uploads.kind_of(file, KINDS)
    if kind is None:
        return getattr(file, "content_type", None) or mimetypes.guess_type(file.name or "")[0] or ""
    return uploads.KINDS[kind].content_types[0]


def _upload(spec, name, file) -> tuple[Prepared | None, str | None]:
    """Type allow-list, size limit and content sniffing: tongban.core.uploads."""
    problem = uploads.problem(file, kinds=KINDS, max_bytes=MAX_BYTES, label=name)
    if problem:
        return None, problem
    content_type = uploads.KINDS[uploads.kind_of(file, KINDS)].content_types[0]
    return Prepared(spec, name, Material.Source.UPLOAD, file=file, content_type=content_type), None


def _shared(spec, user, enterprise, person=None) -> Prepared | None:
    """The registry record that stands for ``spec``, if it can and is found (免于提交)."""
    if spec.shared_data_item == Material.Source.PERSON and user.id_number:
        person = person or registry.find_person(str(user.id_number))
        if person is not None:
            return Prepared(spec, spec.name, Material.Source.PERSON, reference_id=str(person.pk))
    if spec.shared_data_item == Material.Source.ENTITY and enterprise is not None:
        uscc = enterprise.legal_entity.uscc
        return Prepared(spec, spec.name, Material.Source.ENTITY, reference_id=uscc)
    return None


@contextlib.contextmanager
def removed_on_error():
    """Files written inside the block (``store(…, written=…)``) are deleted again when the
    block fails, so a submission that rolls back leaves no orphan file in storage. Wrap the
    transaction in it, so that a failing commit removes them too."""
    written: list = []
    try:
        yield written
    except BaseException:
        for file in written:
            file.storage.delete(file.name)
        raise


def store(
    case, prepared: list[Prepared], *, by, round_: int, written: list | None = None
) -> list[Material]:
    """Save the materials of one submission round (files written through Django storage);
    each file written is added to ``written`` (see ``removed_on_error``)."""
    from tongban.cases.history import account

    now, stored = clock.now(), []
    for entry in prepared:
        material = Material(
            case=case,
            spec=entry.spec,
            name=entry.name,
            source=entry.source,
            reference_id=entry.reference_id,
            round=round_,
            uploaded_by=account(by),
            uploaded_at=now,
        )
        if entry.shared is not None:
            shared = entry.shared
            material.file.name = shared.file.name
            material.sha256, material.size = shared.sha256, shared.size
            material.content_type = shared.content_type
        elif entry.file is not None:
            material.sha256, material.size = digest(entry.file)
            material.content_type = entry.content_type
            name = f"{case.number}-{uuid.uuid4().hex[:12]}{_extension(entry)}"
            storing.write(material.file, name, entry.file)  # nothing left if it fails
            if written is not None:
                written.append(material.file)
        material.save()
        stored.append(material)
    return stored


def digest(file) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks; the file is left at its start."""
    sha, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        sha.update(chunk)
        size += len(chunk)
    file.seek(0)
    return sha.hexdigest(), size


def _extension(entry: Prepared) -> str:
    given = os.path.splitext(getattr(entry.file, "name", "") or "")[1].lower()
    return given if given in CONTENT_TYPES.values() else CONTENT_TYPES[entry.content_type]
