"""``make faults``: the fault scenarios of issue 12 item 3, one module each (docs/faults.md).

Each module in ``SCENARIOS`` offers ``run(options) -> dict`` (its figures, JSON-ready). The
figures are printed and merged into var/proof/faults.json under the scenario's name, so a
run of one scenario keeps the others' last figures.

    python -m proof.faults                 # every scenario
    python -m proof.faults kill            # only those named
"""

import argparse
import importlib
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "var" / "proof" / "faults.json"
# name -> module (kill -9 and PostgreSQL restart; the providers' outage and the full disk).
SCENARIOS = [
    ("kill", "proof.faults_kill"),
    ("outage", "proof.faults_outage"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="fault scenarios (docs/faults.md)")
    parser.add_argument("names", nargs="*", help=f"of {[n for n, _m in SCENARIOS]}")
    parser.add_argument("--filings", type=int, help="kill: filings under kill -9 (1000)")
    parser.add_argument("--threads", type=int, help="kill: concurrent clients (20)")
    parser.add_argument(
        "--outage-seconds", type=float, help="outage: seconds SMS and payments are down (300)"
    )
    options = parser.parse_args(argv)
    wanted = options.names or [name for name, _module in SCENARIOS]
    unknown = set(wanted) - {name for name, _module in SCENARIOS}
    if unknown:
        parser.error(f"unknown scenario {sorted(unknown)}")
    figures = json.loads(OUT.read_text()) if OUT.exists() else {}
    for name, module in SCENARIOS:
        if name in wanted:
            figures[name] = importlib.import_module(module).run(options)
            print(json.dumps({name: figures[name]}, ensure_ascii=False, indent=2), flush=True)
            OUT.parent.mkdir(parents=True, exist_ok=True)
            OUT.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"figures: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
