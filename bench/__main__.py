"""Run every benchmark module (``bench/*_bench.py``), each in its own process.

Each module's ``main()`` prints its figures. Benchmarks measure; they never fail on a number.
"""

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    failed = []
    for module in sorted(here.glob("*_bench.py")):
        name = f"bench.{module.stem}"
        print(f"\n== {name}", flush=True)
        result = subprocess.run([sys.executable, "-m", name], cwd=here.parent)
        if result.returncode:
            failed.append(name)
    if failed:
        print("\nbenchmarks that crashed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
