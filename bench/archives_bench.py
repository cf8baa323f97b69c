"""Archive packages: building, fixity checks and export, on a throwaway database.

    .venv/bin/python -m bench.archives_bench [--cases 50]

``--cases`` cases are filed, accepted, approved and concluded first (not timed; the archive
task is disconnected meanwhile), then:

1. packages built (``services.build_package``: read the case, its history and materials,
   draw the result PDF, hash every file with SHA-256 and SM3, SM2-sign the manifest, write
   and store the ZIP, one row and audit record): rate and p50/p95/p99;
2. fixity checks (``fixity.check_fixity``: re-read, re-hash, verify the signature, log):
   rate and latency;
3. an export of all of them to a temporary directory.

Prints figures, asserts nothing.
"""

import argparse
import tempfile
import time
from pathlib import Path

from bench.support import latencies, rate, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50)
    args = parser.parse_args()
    with throwaway_database(), tempfile.TemporaryDirectory() as media:
        from django.conf import settings

        settings.MEDIA_ROOT = media
        cases = concluded(args.cases)
        packages = bench_build(cases)
        bench_fixity(packages)
        bench_export(len(packages))


def concluded(count: int) -> list:
    from tongban.archives.tests.factories import concluded_case
    from tongban.cases.signals import case_concluded
    from tongban.cases.tests.factories import form_item

    # Outside a test transaction a conclusion's on-commit work runs at once: keep the
    # archive task from building the packages before they are timed.
    case_concluded.disconnect(dispatch_uid="archives.archive_on_conclusion")
    item = form_item()
    started = time.perf_counter()
    cases = [concluded_case(item=item) for _ in range(count)]
    print(f"{'concluded cases prepared (not timed)':<48} {count:>8} in "
          f"{time.perf_counter() - started:7.3f} s")  # fmt: skip
    return cases


def bench_build(cases: list) -> list:
    from tongban.archives import services

    packages, samples = [], []

    def run() -> None:
        for case in cases:
            started = time.perf_counter()
            packages.append(services.build_package(case))
            samples.append((time.perf_counter() - started) * 1000)

    rate("packages built (hash, SM2-sign, store)", len(cases), run)
    latencies("  build latency", samples)
    sizes = sorted(p.size for p in packages)
    files = len(packages[0].manifest["files"]) if packages else 0
    print(f"{'  package size (bytes), files per package':<48} median {sizes[len(sizes) // 2]}"
          f"  files {files}")  # fmt: skip
    return packages


def bench_fixity(packages: list) -> None:
    from tongban.archives import fixity

    samples = []

    def run() -> None:
        for package in packages:
            started = time.perf_counter()
            fixity.check_fixity(package)
            samples.append((time.perf_counter() - started) * 1000)

    rate("fixity checks (re-hash, verify SM2, log)", len(packages), run)
    latencies("  check latency", samples)


def bench_export(count: int) -> None:
    import datetime

    from tongban.archives import export

    with tempfile.TemporaryDirectory() as target:
        since = datetime.date(2000, 1, 1)
        rate(
            "packages exported (ZIP + index.csv)",
            count,
            lambda: export.write_to_dir(since, Path(target), by="bench"),
        )


if __name__ == "__main__":
    main()
