"""Messages: how fast they are stored and enqueued, and delivered through the sandbox.

    .venv/bin/python -m bench.notify_bench [--messages 2000] [--outage 1000]

The sandbox SMS service runs as its own process (``manage.py sms_sandbox``) and every
message goes over real HTTP with a signed request, one delivery worker. The outage scenario
runs the issue's 300 s outage on a simulated clock (the sandbox in process, so it shares
that clock). Prints figures, asserts nothing.
"""

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from bench.support import rate, throwaway_database

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def sandbox_process():
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tongban.settings_test"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sms_sandbox", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/messages.json", timeout=1).close()  # nosec B310  # loopback URL of the SMS sandbox this bench started
                break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def template() -> dict:
    from tongban.notify import services
    from tongban.notify.models import Channel

    services.save_template(
        "bench.notice", Channel.SMS, body="{姓名}您好,您的{事项}已受理。", variables="姓名,事项"
    )
    return {"姓名": "王丽", "事项": "个体工商户登记"}


def throughput(count: int) -> None:
    from django.conf import settings
    from django.test import override_settings

    from tongban.notify import delivery, services
    from tongban.notify.models import Message

    context = template()
    with sandbox_process() as url:
        providers = {**settings.NOTIFY_PROVIDERS}
        providers["sandbox"] = {**providers["sandbox"], "url": url}
        with override_settings(TASKS=DUMMY, NOTIFY_PROVIDERS=providers):

            def enqueue():
                for n in range(count):
                    services.send(None, "bench.notice", context, address=f"139{n:08d}", urgent=True)

            rate("messages stored + enqueued", count, enqueue)
            ids = list(Message.objects.values_list("pk", flat=True))
            rate(
                "delivered via sandbox over HTTP (1 worker)",
                count,
                lambda: [delivery.deliver(pk) for pk in ids],
            )
        received = json.load(urllib.request.urlopen(url + "/messages.json"))  # nosec B310  # loopback URL of the SMS sandbox this bench started
    sent = Message.objects.filter(status=Message.Status.SENT).count()
    print(
        f"{'sent / received by sandbox / duplicates':<48} {sent} / "
        f"{len(received['messages'])} / {received['duplicates']}"
    )


def outage(count: int) -> None:
    import time_machine
    from django.conf import settings
    from django.test import override_settings

    from tongban.notify import services, tasks
    from tongban.notify.models import Message
    from tongban.notify.providers.sandbox import Sandbox
    from tongban.notify.tests import test_outage

    Message.objects.all().delete()
    config = settings.NOTIFY_PROVIDERS["sandbox"]
    sandbox = Sandbox(config["app_key"], config["app_secret"]).start()
    providers = {**settings.NOTIFY_PROVIDERS, "sandbox": {**config, "url": sandbox.url}}
    context = {"姓名": "王丽", "事项": "个体工商户登记"}
    settings_ = {"TASKS": DUMMY, "NOTIFY_PROVIDERS": providers, "NOTIFY_SMS_PER_HOUR": 0}
    started = time.perf_counter()
    with (
        override_settings(**settings_),
        time_machine.travel(test_outage.MORNING, tick=False) as clock,
    ):
        backend = tasks.deliver_message.get_backend()
        sandbox.fail()
        for n in range(count):
            services.send(None, "bench.notice", context, address=f"137{n:08d}")
        test_outage.run_until_idle(
            backend, clock, sandbox, lambda execute: contextlib.nullcontext()
        )
    seconds = time.perf_counter() - started
    sent = Message.objects.filter(status=Message.Status.SENT).count()
    last = max(Message.objects.values_list("sent_at", flat=True))
    simulated = (last - test_outage.MORNING).total_seconds()
    print(f"{'outage: messages / simulated outage':<48} {count} / 300 s")
    print(
        f"{'outage: sent / received / duplicates':<48} {sent} / {len(sandbox.messages)} / "
        f"{sandbox.duplicates}"
    )
    print(f"{'outage: provider calls beyond one each':<48} {sandbox.calls - count}")
    print(f"{'outage: last sent at (simulated, from start)':<48} {simulated:.0f} s")
    print(f"{'outage: wall time of the scenario':<48} {seconds:.1f} s")
    sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--outage", type=int, default=1000)
    args = parser.parse_args()
    with throwaway_database():
        throughput(args.messages)
        outage(args.outage)


if __name__ == "__main__":
    main()
