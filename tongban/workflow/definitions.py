"""Process definitions: uploads (validated, versioned, audited) and the shipped templates.

``services`` re-exports ``deploy``, ``template`` and ``load_processes``: other apps call them
from there.
"""

import hashlib
import re
from pathlib import Path

from django.db import IntegrityError, transaction

from tongban.audit import services as audit
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity import access
from tongban.workflow import engine, validation
from tongban.workflow.models import ProcessDefinition

PROCESSES = Path(__file__).resolve().parent / "processes"
# The templates shipped with the platform: key → (file, Chinese name).
TEMPLATES = {
    "instant": ("instant.bpmn", "即办件"),
    "standard": ("standard.bpmn", "承诺件(受理、审查、决定、办结)"),
    "parallel": ("parallel.bpmn", "并联审批"),
    "commitment": ("commitment.bpmn", "告知承诺"),
    # With a 缴费 system task (tongban.payments) before 办结: items whose guide bills fees.
    "standard_fee": ("standard_fee.bpmn", "承诺件(含缴费)"),
    "instant_fee": ("instant_fee.bpmn", "即办件(含缴费)"),
}
KEY = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def deploy(xml: str, *, key: str, name: str, by, dmn=None) -> ProcessDefinition:
    """Validate an uploaded BPMN file (with DMN tables) and store it as the key's next version."""
    access.require(by, "workflow.deploy")
    return _deploy(xml, key=key, name=name, by=by, dmn=dmn, template=False)


def template(key: str) -> ProcessDefinition:
    """The latest version of a shipped template, loaded from its file when not stored yet."""
    if key not in TEMPLATES:
        raise NotFound("没有这个流程模板", "No such process template")
    found = _latest(key)
    return found if found is not None else load_template(key)


def load_processes() -> list[ProcessDefinition]:
    """Store every shipped template whose file differs from its latest version (idempotent)."""
    return [load_template(key) for key in TEMPLATES]


def load_template(key: str) -> ProcessDefinition:
    file_name, name = TEMPLATES[key]
    xml = (PROCESSES / file_name).read_text(encoding="utf-8")
    latest = _latest(key)
    if latest is not None and latest.digest == _digest(xml, []):
        return latest
    return _deploy(xml, key=key, name=name, by="system", dmn=None, template=True)


def _latest(key: str) -> ProcessDefinition | None:
    return ProcessDefinition.objects.filter(key=key).order_by("-version").first()


def _deploy(xml, *, key, name, by, dmn, template: bool) -> ProcessDefinition:
    if not KEY.match(key or ""):
        raise InvalidInput(fields={"key": ["流程标识应为小写字母开头的英文短代码 / a slug"]})
    dmn_texts = [dmn] if isinstance(dmn, str) else list(dmn or [])
    checked = validation.validate(xml, dmn_texts, trusted=template)
    spec = engine.spec_json(checked.parser, checked.process_id)
    try:
        with transaction.atomic():
            latest = _latest(key)
            definition = ProcessDefinition.objects.create(
                key=key,
                version=latest.version + 1 if latest else 1,
                name=(name or checked.name)[:200],
                process_id=checked.process_id,
                bpmn_xml=xml,
                dmn_xml=dmn_texts,
                digest=_digest(xml, dmn_texts),
                spec=spec,
                tasks=checked.tasks,
                is_template=template,
                uploaded_by=by if getattr(by, "pk", None) else None,
            )
            audit.record(
                by,
                "workflow.definition.deploy",
                definition,
                changes={"key": [None, key], "version": [None, definition.version]},
                note=f"digest {definition.digest[:16]}",
            )
    except IntegrityError as error:
        raise Conflict("同一流程正在被另一人上传,请重试", "Deployed concurrently") from error
    return definition


def _digest(xml: str, dmn_texts: list[str]) -> str:
    return hashlib.sha256("\0".join([xml, *dmn_texts]).encode()).hexdigest()
