"""One fuzzing pass over every operation of docs/openapi.json, in-process.

Each operation gets ``examples`` generated cases per generation mode (positive: data the
schema allows; negative: data it forbids). Half the cases of an operation with path
parameters use real objects of the world (``Plan.path_values``), so requests reach past 404.
Every response goes through each check separately, so a failure is counted under its check.
A failure does not stop the operation: all its examples run (hypothesis does not shrink).
"""

import contextlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from proof._fuzz_world import Plan

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
)
MODES = {
    "positive": schemathesis.GenerationMode.POSITIVE,
    "negative": schemathesis.GenerationMode.NEGATIVE,
}
SAMPLES_KEPT = 3


@dataclass
class OperationResult:
    key: str
    actor: str
    examples: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    samples: list = field(default_factory=list)
    unsatisfiable: list = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "operation": self.key,
            "actor": self.actor,
            "examples": self.examples,
            "statuses": {str(code): n for code, n in sorted(self.statuses.items())},
            "failures": dict(self.failures),
            "samples": self.samples,
            "modes_without_cases": self.unsatisfiable,
            "seconds": round(self.seconds, 2),
        }


class _ServerErrors(logging.Handler):
    """Keeps the last traceback the API's catch-all handler logged (tongban/api.py)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.last = None

    def emit(self, record):
        if record.exc_info:
            self.last = logging.Formatter().formatException(record.exc_info)


@contextlib.contextmanager
def _quiet(errors: logging.Handler):
    """Quiet the loggers and catch the API's tracebacks in ``errors`` for one run.

    Every 4xx is logged by django.request and every task by django_tasks: thousands of lines
    that say nothing the report does not. Levels are restored afterwards: the sample runs
    inside the test suite, whose later tests read these loggers."""
    loggers = [logging.getLogger(n) for n in ("django.request", "django_tasks", "tongban")]
    api_log = logging.getLogger("tongban.api")
    saved = [(log, log.level) for log in (*loggers, api_log)], api_log.propagate
    for log in loggers:
        log.setLevel(logging.CRITICAL)
    api_log.setLevel(logging.ERROR)
    api_log.propagate = False  # the traceback goes into the report (``_ServerErrors``)
    api_log.addHandler(errors)
    try:
        yield
    finally:
        api_log.removeHandler(errors)
        levels, api_log.propagate = saved
        for log, level in levels:
            log.setLevel(level)


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def load_schema():
    return schemathesis.openapi.from_path(SCHEMA)


def run(
    app,
    world_plan: Plan,
    *,
    examples: int = 100,
    modes=("positive", "negative"),
    seed: int | None = None,
    only: str = "",
    before_each=None,
    progress=None,
) -> list[OperationResult]:
    """Fuzz every operation (``only``: those whose key contains it); ``before_each`` runs
    before every request (the caller clears rate-limit counters there)."""
    schema = load_schema()
    errors = _ServerErrors()
    results = []
    with _quiet(errors):
        for operation in operations(schema):
            key = f"{operation.method.upper()} {operation.path}"
            if only and only not in key:
                continue
            result = OperationResult(key, world_plan.auth[key].actor)
            started = time.monotonic()
            for mode in modes:
                _fuzz(app, operation, world_plan, result, errors, mode, examples, seed, before_each)
            result.seconds = time.monotonic() - started
            results.append(result)
            if progress:
                progress(result)
    return results


def _strategy(operation, mode: str, values: dict):
    generated = operation.as_strategy(generation_mode=MODES[mode])
    if not values:
        return generated
    real = operation.as_strategy(generation_mode=MODES[mode], path_parameters=values)
    return st.one_of(real, generated)


def _fuzz(app, operation, world_plan, result, errors, mode, examples, seed, before_each):
    key = result.key
    auth = world_plan.auth[key]
    strategy = _strategy(operation, mode, world_plan.path_values[key])

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=strategy)
    def check(case):
        if before_each:
            before_each()
        errors.last = None
        response = case.call(app=app, headers=dict(auth.headers), cookies=dict(auth.cookies))
        result.examples += 1
        result.statuses[response.status_code] += 1
        for check_function in CHECKS:
            if check_function is not_a_server_error and _declared_unavailable(case, response):
                continue
            try:
                case.validate_response(response, checks=[check_function], headers=auth.headers)
            except FailureGroup as group:
                _record(result, mode, check_function.__name__, group, case, response, errors)

    if seed is not None:
        check = _seeded(check, seed)
    try:
        check()
    except Unsatisfiable:
        # Nothing the schema forbids can be sent (a path parameter of any string).
        result.unsatisfiable.append(mode)


def _declared_unavailable(case, response) -> bool:
    """A 503 the operation declares (storage full, an outside channel down) is the platform
    answering as documented, not a crash; it still counts against an undeclared 503."""
    declared = case.operation.definition.raw.get("responses", {})
    return response.status_code == 503 and "503" in declared


def _seeded(test, seed: int):
    from hypothesis import seed as with_seed

    return with_seed(seed)(test)


def _record(result, mode, name, group, case, response, errors) -> None:
    result.failures[name] += 1
    if len(result.samples) >= SAMPLES_KEPT:
        return
    request = response.request
    result.samples.append(
        {
            "mode": mode,
            "check": name,
            "titles": sorted({failure.title for failure in group.exceptions}),
            "message": "\n".join(f.message for f in group.exceptions)[:1500],
            "status": response.status_code,
            "request": f"{request.method} {request.url}",
            "body": (request.body or b"")[:500].decode("utf-8", "replace")
            if isinstance(request.body, bytes)
            else str(request.body or "")[:500],
            "response": response.content[:500].decode("utf-8", "replace"),
            "traceback": errors.last[-3000:] if errors.last else None,
        }
    )
