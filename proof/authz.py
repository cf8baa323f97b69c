"""Authorization figures: run the access harness and print what it checked and what held.

    .venv/bin/python -m proof.authz [extra pytest arguments]

Runs ``tongban/tests/access`` (the same tests ``make test`` runs) and counts, from the
results: endpoint × actor expectations (``test_harness``), horizontal checks (an intruder
on someone else's object, ``test_horizontal``) and their positive controls, and the
bearer-token scope tests (``test_scopes``). Exit status: pytest's.
"""

import os
import sys
import time
from collections import Counter

import pytest

GROUPS = {
    "test_endpoint_answers_the_actor_as_the_table_says": "expectations",
    "test_an_intruder_is_refused_and_sees_nothing_of_bs": "horizontal",
    "test_tracking_with_bs_number_needs_bs_phone": "horizontal",
    "test_the_owner_gets_in": "controls",
}


class Tally:
    """A pytest plugin counting outcomes per group (the test function's name)."""

    def __init__(self):
        self.run, self.met = Counter(), Counter()

    def pytest_runtest_logreport(self, report):
        if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
            return
        name = report.nodeid.split("::")[-1].split("[")[0]
        group = GROUPS.get(name, "scopes" if "test_scopes" in report.nodeid else "other")
        self.run[group] += 1
        self.met[group] += report.outcome == "passed"


def figures(tally: Tally) -> list[str]:
    from tongban.tests.access import table

    actors = {actor for row in table.TABLE.values() for actor in row.expected}
    run, met = tally.run, tally.met
    return [
        f"{len(table.TABLE)} endpoints, {len(actors)} actors: {run['expectations']} "
        f"endpoint × actor expectations, {met['expectations']} met",
        f"{run['horizontal']} horizontal checks, {met['horizontal']} met; "
        f"{run['controls']} positive controls, {met['controls']} met",
        f"{run['scopes']} bearer-scope tests, {met['scopes']} passed; "
        f"{run['other']} other harness tests, {met['other']} passed",
    ]


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings_test")
    tally, started = Tally(), time.monotonic()
    status = pytest.main(["tongban/tests/access", "-q", "-p", "no:cacheprovider", *argv], [tally])
    for line in figures(tally):
        print(line)
    print(f"{time.monotonic() - started:.0f} s")
    return int(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
