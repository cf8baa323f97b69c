"""The load test's mix, short (``proof/load.py`` is the long one, ``make load``).

    .venv/bin/python -m bench.load_bench [--users 50] [--ramp 10] [--hold 30]

A fresh PostgreSQL database (dropped afterwards) seeded small (``proof.seed``: 5,000 cases,
1,000 licenses, 500 persons), gunicorn on a free loopback port (2 workers x 8 threads, as
the stack), and Locust headless with ``proof/locustfile.py``: USERS users over RAMP seconds,
then HOLD seconds. Prints requests/s, p50/p95/p99 per endpoint, failures by kind and CPU
seconds per process kind during the hold. Asserts nothing.
"""

import argparse
import os
import subprocess
import sys

from bench.cases_http_bench import free_port, fresh_database
from proof import load

SMALL = ["--cases", "5000", "--licenses", "1000", "--persons", "500"]
# A Redis database of its own, emptied first: counters and cached checks of another
# database's rows must not leak in.
REDIS_URL = "redis://127.0.0.1:6379/13"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--ramp", type=int, default=10)
    parser.add_argument("--hold", type=int, default=30)
    parser.add_argument("--pg", default="postgres:///postgres")
    args = parser.parse_args()
    name = f"tongban_load_bench_{os.getpid()}"
    out = load.OUT / "bench"
    out.mkdir(parents=True, exist_ok=True)
    world = out / "load-world.json"
    world.unlink(missing_ok=True)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    own = {"REDIS_URL": REDIS_URL}
    with fresh_database(args.pg, name) as url, load.OwnTarget(url, free_port(), own) as target:
        subprocess.run(
            [sys.executable, "-m", "proof.seed", "--world", str(world), *SMALL],
            env=target.env,
            cwd=load.BASE_DIR,
            check=True,
        )
        result = load.run(target, world, args.users, args.ramp, args.hold, out / "load")
    result["conditions"] = {"users": args.users}
    print(load.table(result))


if __name__ == "__main__":
    main()
