"""The load test's parts, cheaply: the seed, the TOTP the clerks compute, the CPU sampler, and
every Locust task run once against a live server (in a subprocess: Locust patches the
standard library with gevent when imported, which the rest of the suite must not get)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from proof import load, seed
from tongban.cases.models import Case
from tongban.licenses.models import License

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def test_clerk_totp_is_the_code_django_otp_accepts():
    key = "3132333435363738393031323334353637383930"
    for at in (1_800_000_000, 1_800_000_030, 1_234_567_890):
        device = TOTP(bytes.fromhex(key), step=30, digits=6)
        device.time = at
        assert seed.totp_now(key, at=at) == f"{device.token():06d}"


def test_cpu_sampler_counts_this_process_busy_time():
    sampler = load.CpuSampler(lambda: {"me": [os.getpid()]})
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    sampler.start()
    sampler.stop()
    assert sampler.seconds_since("start")["me"] >= 0.2


@pytest.mark.django_db
def test_seed_writes_the_volume_and_a_world_that_names_it(tmp_path):
    world = seed.seed(persons=6, cases=30, licenses=12, world_path=tmp_path / "world.json")
    assert Case.objects.filter(number__in=[n for n, _p in world["tracking"]]).count() == 30
    assert License.objects.filter(identifier__in=world["licenses"]).count() == 12
    assert len(world["persons"]) == 6 and len(world["clerks"]) == 8 * seed.CLERKS_PER_DEPARTMENT
    again = seed.seed(persons=6, cases=30, licenses=12, world_path=tmp_path / "world.json")
    assert again == json.loads((tmp_path / "world.json").read_text())
    assert Case.objects.count() == 30


@pytest.mark.django_db(transaction=True)
def test_every_locust_task_succeeds_once_against_the_platform(live_server, tmp_path):
    path = tmp_path / "world.json"
    seed.seed(persons=4, cases=20, licenses=8, world_path=path)
    result = subprocess.run(
        [sys.executable, "-m", "proof.locustfile", live_server.url],
        env={**os.environ, "LOAD_WORLD": str(path)},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert Case.objects.filter(applicant__username__startswith="load-p").count() > 20
