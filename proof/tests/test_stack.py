"""The cheap parts of the production shape (proof/stack.py): configuration rendering, the
generated environment, and the rq worker's heartbeat. Starting the stack itself takes
minutes: ``make prod``."""

import stat

import pytest
from django.core.management import call_command
from django.test import override_settings

from proof import _env, _nginx
from proof.stack import Stack
from tongban.core.models import WorkerHeartbeat

VALUES = {
    "user": "www-data",
    "pid": "/run/nginx-tongban.pid",
    "error_log": "/var/log/nginx/tongban-error.log",
    "access_log": "/var/log/nginx/tongban-access.log",
    "temp": "/var/cache/nginx/tongban",
    "trusted_proxy": "10.0.0.0/8",
    "upstream": "10.0.1.11:8001",
    "listen": "127.0.0.1:8100",
    "server_name": "zwfw.zhouzhi.gov.cn",
    "static_root": "/srv/tongban/static",
    "tls_certificate": "/etc/ssl/tongban.pem",
    "tls_certificate_key": "/etc/ssl/private/tongban.key",
    "locations": "/etc/nginx/tongban-locations.conf",
    "proxy_params": "/etc/nginx/tongban-proxy.conf",
}


def _template(name: str) -> str:
    return (_nginx.DEPLOY / name).read_text()


def test_plain_rendering_has_no_tls_server_and_no_unfilled_field():
    text = _nginx.render(_template("nginx.conf"), VALUES, tls=False)
    assert "listen 127.0.0.1:8100;" in text
    assert "ssl_certificate" not in text and "443" not in text
    assert "{{" not in text
    assert not [line for line in text.splitlines() if line.startswith("#@")]
    assert "server 10.0.1.11:8001" in text
    assert "set_real_ip_from 10.0.0.0/8;" in text
    assert "client_max_body_size 50m;" in text


def test_tls_rendering_is_the_documented_production_server():
    text = _nginx.render(_template("nginx.conf"), VALUES, tls=True)
    assert "listen 443 ssl http2;" in text
    assert "ssl_certificate /etc/ssl/tongban.pem;" in text
    assert "return 301 https://$host$request_uri;" in text
    assert "Strict-Transport-Security" in text
    assert "listen 127.0.0.1:8100;" not in text


def test_locations_serve_static_with_long_cache_and_proxy_headers():
    locations = _nginx.render(_template("nginx-locations.conf"), VALUES)
    assert "alias /srv/tongban/static/;" in locations
    assert "immutable" in locations and "expires 365d;" in locations
    assert "return 503" in locations  # JSON, not nginx's HTML 502, while no app answers
    proxy = _nginx.render(_template("nginx-proxy.conf"), VALUES)
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP", "Host"):
        assert f"proxy_set_header {header}" in proxy


def test_a_missing_field_is_an_error_not_a_blank():
    with pytest.raises(KeyError, match="upstream"):
        _nginx.render("server {{upstream}};", {})


def test_write_config_renders_all_three_files(tmp_path):
    config = _nginx.write_config(tmp_path, VALUES)
    assert f"include {tmp_path / 'nginx-locations.conf'};" in config.read_text()
    assert (
        f"include {tmp_path / 'nginx-proxy.conf'};"
        in (tmp_path / "nginx-locations.conf").read_text()
    )


def test_environment_is_production_with_fresh_secrets_kept_private(tmp_path):
    first = _env.ensure(tmp_path / "a")
    second = _env.ensure(tmp_path / "b")
    assert first["TONGBAN_ENV"] == "production"
    assert first["TASKS_BACKEND"] == "rq" and first["REDIS_URL"].endswith("/3")
    assert first["SECURE_COOKIES"] == "0"  # loopback only: no TLS there
    for key in ("SECRET_KEY", "PII_INDEX_KEY", "GATEWAY_SECRET_KEY", "NOTIFY_SMS_APP_SECRET"):
        assert first[key] and first[key] != second[key]
    for path in (tmp_path / "a" / "env", tmp_path / "a" / "oidc.pem"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _env.ensure(tmp_path / "a") == first  # read back, not regenerated
    assert (tmp_path / "a" / "oidc.pem").read_text().startswith("-----BEGIN PRIVATE KEY")


def test_environment_file_refuses_multi_line_values(tmp_path):
    with pytest.raises(ValueError):
        _env.write(tmp_path / "env", {"KEY": "two\nlines"})


def test_production_checks_pass_with_the_generated_environment(tmp_path, monkeypatch):
    """The stack's settings satisfy every production check without weakening one."""
    import subprocess
    import sys

    values = _env.ensure(tmp_path)
    code = (
        "import django; django.setup();"
        "from django.core import checks;"
        "errors = [m for m in checks.run_checks() if m.level >= checks.ERROR];"
        "print([m.id for m in errors]); raise SystemExit(bool(errors))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tongban.settings", **values},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_supervised_services_and_gunicorn_size(tmp_path):
    stack = Stack(tmp_path)
    services = stack.services()
    assert services["task_worker"]["count"] == 2
    assert services["task_worker"]["argv"][-1] == "rq_worker"
    assert "deploy/gunicorn.conf.py" in " ".join(services["gunicorn"]["argv"])
    _env.write(tmp_path / "env", {**stack.env, "GUNICORN_WORKERS": "3"})
    assert stack.gunicorn_env()["GUNICORN_WORKERS"] == "3"


@pytest.mark.django_db
def test_rq_worker_refuses_another_backend():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="rq"):
        call_command("rq_worker", "--burst")
    # Nothing beats for a worker that never ran (its thread would go on beating into /healthz).
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_rq_worker_beats_and_runs_the_queue(monkeypatch):
    """One burst over an empty queue: the heartbeat /healthz reads is written, the worker
    is built on the backend's queues with its scheduler."""
    from tongban.core.management.commands import rq_worker

    ran = {}

    class FakeWorker:
        def __init__(self, queues, *, name, connection, job_class):
            ran.update(queues=[q.name for q in queues], name=name, job_class=job_class)

        def work(self, **options):
            ran.update(options)

    monkeypatch.setattr(rq_worker, "Worker", FakeWorker)
    # The command closes every connection before rq forks work horses; here nothing forks,
    # and closing would end the test's own transaction (on PostgreSQL, with its rows).
    monkeypatch.setattr(rq_worker.connections, "close_all", lambda: None)
    started = []
    monkeypatch.setattr(rq_worker.worker_started, "send", lambda sender: started.append(sender))
    rq = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=rq, RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}}):
        call_command("rq_worker", "--worker-id", "rq-test-1", "--burst")
    assert WorkerHeartbeat.objects.filter(worker_id="rq-test-1").exists()
    assert ran["queues"] == ["default"] and ran["name"] == "rq-test-1"
    assert ran["with_scheduler"] is True and ran["burst"] is True
    assert started  # the periodic chains are (re)started by the signal's receivers
