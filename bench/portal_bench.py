"""The portal's hot pages: the home page (anonymous, cache cold and warm; signed in), the
person space of someone with many cases, and read-aloud audio (synthesized, then cached).

    .venv/bin/python -m bench.portal_bench [--cases 2000] [--requests 200]

``--cases`` cases are filed over 20 items (so the 90-day hot items have data to rank); one
person holds 200 of them with their messages. Pages go through the test client (the whole
Django stack, templates included) and print p50/p95/p99 and the queries each page costs.
Read-aloud needs Debian's espeak-ng; without it that part is skipped. Prints figures,
asserts nothing.
"""

import argparse
import shutil
import time

from bench.support import latencies, throwaway_database

ITEMS = 20
PERSONAL_CASES = 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with throwaway_database():
        person = _data(args.cases)
        pages(person, args.requests)
        speech()


def _data(count: int):
    from tongban.cases.models import Case
    from tongban.cases.tests.factories import applicant_person, file_case, form_item

    items = [form_item() for _ in range(ITEMS)]
    person = applicant_person()
    first = file_case(items[0], person)
    fields = {
        f.attname: getattr(first, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in ("id", "number", "item_id", "guide_id", "department_id", "applicant_id")
    }
    started = time.perf_counter()
    Case.objects.bulk_create(
        Case(
            **fields,
            number=f"BENCH{n:012d}",
            item_id=items[n % ITEMS].pk,
            guide_id=items[n % ITEMS].current_guide.pk,
            department_id=items[n % ITEMS].department_id,
            applicant_id=person.pk if n < PERSONAL_CASES else first.applicant_id,
        )
        for n in range(count)
    )
    print(f"set-up: {count} cases over {ITEMS} items in {time.perf_counter() - started:.1f} s")
    return person


def pages(person, requests: int) -> None:
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    def measure(label: str, client: Client, url: str, *, clear=False) -> None:
        samples, queries = [], []
        with connection.execute_wrapper(
            lambda run, sql, *args: queries.append(sql) or run(sql, *args)
        ):
            client.get(url)
        for _ in range(requests):
            if clear:
                cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        latencies(f"  {label} ({len(queries)} queries)", samples)

    print("pages through the whole stack:", flush=True)
    settings.PORTAL_HOME_CACHE_SECONDS = 300
    anonymous = Client()
    measure("home, anonymous, public blocks cold", anonymous, "/", clear=True)
    measure("home, anonymous, public blocks cached", anonymous, "/")
    signed_in = Client()
    signed_in.force_login(person)
    measure("home, signed in (pending cases, unread)", signed_in, "/")
    measure(f"my space, {PERSONAL_CASES} cases (first page)", signed_in, "/my/space/")
    elder = Client()
    elder.cookies["tb_elder"] = "1"
    measure("home, elderly mode", elder, "/")


def speech() -> None:
    from django.conf import settings

    from tongban.portal import speech as synthesis

    if not shutil.which(settings.PORTAL_SPEECH_COMMAND):
        print("read-aloud: espeak-ng is not installed, skipped")
        return
    text = "居民身份证补领。办理地点:周至县政务服务中心公安窗口。承诺时限:即办。" * 4
    shutil.rmtree(settings.PORTAL_SPEECH_CACHE_DIR, ignore_errors=True)
    print(f"read-aloud ({len(text)} characters):", flush=True)
    cold = []
    for n in range(5):
        started = time.perf_counter()
        synthesis.synthesize(f"{n}{text}")
        cold.append((time.perf_counter() - started) * 1000)
    latencies("  synthesized by espeak-ng", cold)
    warm = []
    for n in range(50):
        started = time.perf_counter()
        synthesis.synthesize(f"{n % 5}{text}")
        warm.append((time.perf_counter() - started) * 1000)
    latencies("  the same text again (cached file)", warm)


if __name__ == "__main__":
    main()
