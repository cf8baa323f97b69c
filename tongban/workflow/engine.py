"""SpiffWorkflow behind three functions: parse a definition, run it, store its state.

The parsed spec of a definition is kept once (``ProcessDefinition.spec``, the serializer's
JSON of the spec) and in a per-process cache; an instance stores only its task tree and data
(``dump``), a few KB, and is restored against the cached spec (``load``). Definitions never
change once stored, so the cache needs no invalidation.
"""

import builtins
import json
import logging
from copy import deepcopy
from functools import lru_cache
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

# Gateway conditions and DMN entries are Python expressions; uploads are checked
# (expressions.py) and evaluation gets these builtins only.
SAFE_FUNCTIONS = (
    "abs",
    "all",
    "any",
    "bool",
    "float",
    "int",
    "len",
    "max",
    "min",
    "round",
    "sorted",
    "str",
    "sum",
)
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_FUNCTIONS}
# FEEL's literals, as Camunda Modeler users write them in DMN cells and conditions.
FEEL_LITERALS = {"true": True, "false": False, "null": None}
SCRIPT_ENGINE = PythonScriptEngine(
    environment=TaskDataEnvironment({"__builtins__": SAFE_BUILTINS, **FEEL_LITERALS})
)
# SpiffWorkflow logs every task state change at INFO: noise, and a tenth of a step's time.
logging.getLogger("spiff").setLevel(logging.WARNING)
XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False
)


class StateConverter(BpmnWorkflowConverter):
    """The workflow converter without the spec: the spec is stored once per definition."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _serializer(config) -> BpmnWorkflowSerializer:
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_state_config = deepcopy(CAMUNDA_CONFIG)
_state_config[BpmnWorkflow] = StateConverter
STATE = _serializer(_state_config)
SPECS = _serializer(CAMUNDA_CONFIG)


@lru_cache(maxsize=1)
def validator() -> BpmnValidator:
    """The BPMN 2.0 XSD validator (parsing the schema takes a while: once per process)."""
    return BpmnValidator()


def parse_xml(text: str):
    """An lxml element from untrusted XML text: no entities, no network."""
    return etree.fromstring(text.encode(), XML_PARSER)


def parser_for(bpmn_root, dmn_roots=()) -> CamundaParser:
    parser = CamundaParser(validator=validator())
    for root in dmn_roots:
        parser.add_dmn_xml(root, filename="upload.dmn")
    parser.add_bpmn_xml(bpmn_root, filename="upload.bpmn")
    return parser


def spec_json(parser: CamundaParser, process_id: str) -> str:
    """The parsed process and its subprocesses as JSON (stored once per definition)."""
    spec = parser.get_spec(process_id)
    subprocesses = parser.get_subprocess_specs(process_id)
    return json.dumps(
        {
            "spec": SPECS.to_dict(spec),
            "subprocess_specs": {name: SPECS.to_dict(s) for name, s in subprocesses.items()},
        }
    )


_specs: dict[tuple[int, str], tuple] = {}
SPEC_CACHE_SIZE = 256


def specs(definition) -> tuple:
    """The restored spec of a definition, cached by id and digest (definitions are immutable)."""
    key = (definition.pk, definition.digest)
    found = _specs.get(key)
    if found is None:
        dct = json.loads(definition.spec)
        subprocesses = {
            name: SPECS.from_dict(value) for name, value in dct["subprocess_specs"].items()
        }
        found = (SPECS.from_dict(dct["spec"]), subprocesses)
        if len(_specs) >= SPEC_CACHE_SIZE:
            _specs.pop(next(iter(_specs)))
        _specs[key] = found
    return found


def new_workflow(definition, data: dict) -> BpmnWorkflow:
    spec, subprocesses = specs(definition)
    workflow = BpmnWorkflow(spec, subprocesses, script_engine=SCRIPT_ENGINE)
    workflow.task_tree.data.update(deepcopy(data))
    return workflow


def dump(workflow: BpmnWorkflow) -> str:
    """The instance state as JSON, without the spec."""
    return STATE.serialize_json(workflow)


def load(definition, state: str) -> BpmnWorkflow:
    spec, subprocesses = specs(definition)
    dct = json.loads(state)
    STATE.migrate(dct)
    workflow = STATE.from_dict(dct, spec=spec, subprocess_specs=subprocesses)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


__all__ = ["VERSION", "dump", "load", "new_workflow", "parse_xml", "parser_for", "spec_json"]
