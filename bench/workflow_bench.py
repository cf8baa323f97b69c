"""What one workflow step costs: start an instance, complete a task, store and restore state.

    .venv/bin/python -m bench.workflow_bench [--instances 300]

On a throwaway test database: starts ``--instances`` instances of the standard template
(受理 → 审查 → 决定 → 办结) through ``workflow.services`` (engine step, Task rows, audit record,
one transaction each), completes their first task, and times the engine alone (serialize and
deserialize the state without the spec). Prints figures, asserts nothing.
"""

import argparse
import json
import time

from bench.support import rate, throwaway_database


def setup():
    from tongban.org.models import StaffMembership
    from tongban.org.tests.factories import DepartmentFactory, staff_with_role
    from tongban.workflow import services

    window, bureau = DepartmentFactory(), DepartmentFactory()
    clerk = staff_with_role(StaffMembership.Role.CLERK, department=window)
    departments = {"clerk": window, "approver": bureau}
    return services.template("standard"), departments, clerk


def engine_step(engine, definition, state: str) -> str:
    """What ``complete`` asks of SpiffWorkflow, without the database."""
    from SpiffWorkflow.util.task import TaskState

    workflow = engine.load(definition, state)
    (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    task.data["decision"] = "approve"
    task.run()
    workflow.do_engine_steps()
    return engine.dump(workflow)


def per_call(label: str, count: int, run) -> None:
    """Rate and the cost of one call in µs."""
    started = time.perf_counter()
    per_second = rate(label, count, run)
    micro = (time.perf_counter() - started) / count * 1e6
    print(f"{'':<48} {micro:10.0f} µs each ({per_second:.0f}/s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="workflow step cost")
    parser.add_argument("--instances", type=int, default=300)
    count = parser.parse_args(argv).instances

    with throwaway_database():
        from tongban.workflow import engine, services
        from tongban.workflow.models import ProcessInstance

        definition, departments, clerk = setup()
        subjects = [f"bench.Run:{n}" for n in range(count)]  # no case: no case receivers
        per_call(
            "start (engine + Task rows + audit)",
            count,
            lambda: [
                services.start(definition, subject=s, departments=departments, by=clerk)
                for s in subjects
            ],
        )
        tasks = list(services.inbox(clerk))
        per_call(
            "complete a task (load, step, store, audit)",
            len(tasks),
            lambda: [services.complete(t, by=clerk, data={"decision": "accept"}) for t in tasks],
        )
        state = ProcessInstance.objects.first().state
        workflow = engine.load(definition, state)
        loops = 2000
        per_call(
            "serialize state (no spec)",
            loops,
            lambda: [engine.dump(workflow) for _ in range(loops)],
        )
        per_call(
            "deserialize state (cached spec)",
            loops,
            lambda: [engine.load(definition, state) for _ in range(loops)],
        )
        per_call(
            "engine step alone (load, run a task, dump)",
            loops,
            lambda: [engine_step(engine, definition, state) for _ in range(loops)],
        )
        print(f"{'state size after 受理 (bytes)':<48} {len(state.encode()):8}")
        print(f"{'spec stored once per definition (bytes)':<48} {len(definition.spec.encode()):8}")
        with_spec = len(json.dumps(engine.SPECS.to_dict(workflow)).encode())
        print(f"{'state with the embedded spec, for comparison':<48} {with_spec:8}")


if __name__ == "__main__":
    main()
