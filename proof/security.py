"""`make security`: the platform's security checks, with output for a person.

1. bandit over tongban/, proof/ and bench/ (security/bandit.yaml; every ``# nosec`` must have
   its row in security/bandit.md);
2. pip-audit of the locked requirements (uv.lock), with the exceptions of
   security/pip-audit-ignore.txt; skipped, and said so, when the vulnerability service cannot
   be reached or knows none of the packages;
3. ``manage.py check --deploy`` under production settings with generated secrets;
4. the header probe: one page's security headers (CSP, HSTS over HTTPS, cookies);
5. ``manage.py verify_audit`` on the database the settings name.

The same functions back tongban/core/tests/test_security_scans.py (``make test``).
Exit status 1 when a check fails; a skipped check is printed as such, never as a pass.
"""

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECURITY = ROOT / "security"
# make test gates the platform and the benches; make security also scans proof/.
GATED = ("tongban", "bench")
SCANNED = (*GATED, "proof")
PYTHON = sys.executable
FLAGS = ("-f", "json", "-q", "--severity-level", "medium")
ROW = re.compile(r"^\|\s*(B\d{3})\s*\|\s*`([^`:]+)", re.M)  # | B608 | `path` … |
NOSEC = re.compile(r"#\s*nosec\s+(B\d{3})")


@dataclass
class Result:
    name: str
    status: str  # "pass", "fail" or "skip"
    lines: list[str] = field(default_factory=list)


# bandit ------------------------------------------------------------------------------------


def bandit_findings(paths=SCANNED) -> list[dict]:
    """bandit's medium and high findings that no ``# nosec`` or config exception covers."""
    run = subprocess.run(
        [PYTHON, "-m", "bandit", "-c", str(SECURITY / "bandit.yaml"), "-r", *paths, *FLAGS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(run.stdout)
    if report.get("errors"):
        raise RuntimeError(f"bandit could not scan: {report['errors']}")
    return report["results"]


def unexplained_nosec(paths=SCANNED) -> list[str]:
    """``# nosec Bxxx`` lines whose file and test id have no row in security/bandit.md."""
    table = (SECURITY / "bandit.md").read_text(encoding="utf-8")
    rows = {(m.group(2).split()[0], m.group(1)) for m in ROW.finditer(table)}
    missing = []
    for top in paths:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/tests/" in relative or "/migrations/" in relative:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for test_id in NOSEC.findall(line):
                    if (relative, test_id) not in rows:
                        missing.append(f"{relative}:{number} {test_id}")
    return missing


def check_bandit() -> Result:
    found = bandit_findings()
    lines = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_severity']}: "
        f"{r['issue_text']}"
        for r in found
    ]
    lines += [f"{m}: # nosec without a row in security/bandit.md" for m in unexplained_nosec()]
    return Result("bandit", "fail" if lines else "pass", lines or ["no unexplained finding"])


# pip-audit ---------------------------------------------------------------------------------


def ignored_vulnerabilities() -> dict[str, str]:
    """id → package from security/pip-audit-ignore.txt (``id package justification``)."""
    ignored = {}
    for line in (SECURITY / "pip-audit-ignore.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            raise ValueError(f"pip-audit-ignore.txt: id, package and justification: {line!r}")
        ignored[parts[0]] = parts[1].lower()
    return ignored


def locked_requirements() -> str:
    """The runtime requirements pinned in uv.lock, as requirements.txt text."""
    uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    run = subprocess.run(
        [uv, "export", "--frozen", "--no-hashes", "--no-dev", "--no-emit-project"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "UV_OFFLINE": "1"},
    )
    if run.returncode != 0:
        raise RuntimeError(f"uv export failed: {run.stderr.strip()}")
    return run.stdout


@dataclass
class Audit:
    findings: list[str]  # not in the ignore file
    audited: int
    unaudited: list[str]  # packages the service could not answer for
    error: str = ""


def pip_audit() -> Audit:
    ignored = ignored_vulnerabilities()
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write(locked_requirements())
        requirements.flush()
        command = [PYTHON, "-m", "pip_audit", "-r", requirements.name, "--no-deps"]
        command += ["--disable-pip", "-s", "pypi", "-f", "json", "--progress-spinner", "off"]
        command += [arg for vuln in ignored for arg in ("--ignore-vuln", vuln)]
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        tail = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return Audit([], 0, [], error=f"pip-audit gave no report ({tail})")
    findings, audited, unaudited = [], 0, []
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            unaudited.append(dep["name"])
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            if ignored.get(vuln["id"]) != dep["name"].lower():
                findings.append(f"{dep['name']} {dep['version']}: {vuln['id']}")
    return Audit(findings, audited, unaudited)


def check_pip_audit() -> Result:
    audit = pip_audit()
    if audit.findings:
        return Result("pip-audit", "fail", audit.findings)
    if audit.error or audit.unaudited:
        reason = audit.error or (
            f"the vulnerability service could not answer for {len(audit.unaudited)} of "
            f"{len(audit.unaudited) + audit.audited} locked packages (offline or no data)"
        )
        return Result("pip-audit", "skip", [reason])
    return Result("pip-audit", "pass", [f"{audit.audited} packages, no unexplained finding"])


# check --deploy ----------------------------------------------------------------------------


def production_environment(directory: Path) -> dict[str, str]:
    """Production settings with every required secret generated (nothing real)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    def key32() -> str:
        return base64.b64encode(secrets.token_bytes(32)).decode()

    pem = directory / "oidc.pem"
    pem.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    environment.pop("DEBUG", None)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "tongban.settings",
            "TONGBAN_ENV": "production",
            "TONGBAN_VAR_DIR": str(directory),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "zwfw.zhouzhi.gov.cn",
            "DATABASE_URL": f"sqlite:///{directory / 'deploy.sqlite3'}",
            "PII_KEYS": f"k1:{key32()}",
            "PII_INDEX_KEY": key32(),
            "IDENTITY_CODE_KEY": key32(),
            "OIDC_SUBJECT_KEY": key32(),
            "OIDC_RSA_PRIVATE_KEY_FILE": str(pem),
            "GATEWAY_SECRET_KEY": key32(),
            "SIGNING_KEY_SECRET": key32(),
            "NOTIFY_SMS_URL": "https://sms.example.cn/api",
            "NOTIFY_SMS_APP_KEY": "zhouzhi",
            "NOTIFY_SMS_APP_SECRET": secrets.token_urlsafe(16),
            "PAYMENTS_CHANNEL_URL": "https://pay.example.cn",
            "PAYMENTS_MERCHANT_ID": "ZZTB",
            "PAYMENTS_CHANNEL_SECRET": secrets.token_urlsafe(16),
            "LOGISTICS_COURIER_URL": "https://ems.example.cn",
            "LOGISTICS_CUSTOMER_CODE": "ZZTB",
            "LOGISTICS_COURIER_SECRET": secrets.token_urlsafe(16),
        }
    )
    return environment


def deploy_check() -> subprocess.CompletedProcess:
    """``manage.py check --deploy --fail-level WARNING`` in production settings."""
    with tempfile.TemporaryDirectory() as directory:
        return subprocess.run(
            [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=production_environment(Path(directory)),
            capture_output=True,
            text=True,
            timeout=300,
        )


def check_deploy() -> Result:
    run = deploy_check()
    lines = (run.stdout + run.stderr).strip().splitlines()
    return Result("check --deploy", "pass" if run.returncode == 0 else "fail", lines)


# headers and the audit chain ---------------------------------------------------------------

# A page that needs no database (the discovery pointer answers 301): the headers come from
# the middleware and production settings, the same on every response.
PROBE_PATH = "/.well-known/openid-configuration"
PROBE = f"""
import django, json
django.setup()
from django.test import Client
response = Client().get("{PROBE_PATH}", secure=True, HTTP_HOST="zwfw.zhouzhi.gov.cn")
print(json.dumps({{"status": response.status_code, "headers": dict(response.headers)}}))
"""
WANTED = {
    "Content-Security-Policy": "default-src 'self'",
    "Strict-Transport-Security": "max-age=31536000",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def header_probe() -> dict:
    """A response's status and headers over HTTPS, in production settings."""
    with tempfile.TemporaryDirectory() as directory:
        environment = production_environment(Path(directory))
        run = subprocess.run(
            [PYTHON, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True
        )
    if run.returncode != 0:
        raise RuntimeError(run.stderr.strip().splitlines()[-1])
    return json.loads(run.stdout.strip().splitlines()[-1])


def check_headers() -> Result:
    probe = header_probe()
    headers = probe["headers"]
    lines, failed = [f"GET {PROBE_PATH} over HTTPS: {probe['status']}"], False
    for name, start in WANTED.items():
        value = headers.get(name, "")
        ok = value.startswith(start) or start in value
        failed |= not ok
        lines.append(f"{'ok  ' if ok else 'MISS'} {name}: {value or '(absent)'}")
    return Result("headers", "fail" if failed else "pass", lines)


def check_audit_chain() -> Result:
    run = subprocess.run(
        [PYTHON, "manage.py", "verify_audit"], cwd=ROOT, capture_output=True, text=True
    )
    output = run.stdout + run.stderr
    if run.returncode != 0 and re.search(r"no such table|does not exist", output):
        return Result("verify_audit", "skip", ["the database has no audit log yet (migrate)"])
    lines = output.strip().splitlines()[-5:]
    return Result("verify_audit", "pass" if run.returncode == 0 else "fail", lines)


CHECKS = (check_bandit, check_pip_audit, check_deploy, check_headers, check_audit_chain)


def main() -> int:
    failed = False
    for check in CHECKS:
        print(f"== {check.__name__.removeprefix('check_')} ...", flush=True)
        try:
            result = check()
        except Exception as error:  # a check that cannot run is a failure, said plainly
            result = Result(check.__name__, "fail", [f"{type(error).__name__}: {error}"])
        print(f"   {result.status.upper()}")
        for line in result.lines:
            print(f"   {line}")
        failed |= result.status == "fail"
    print(
        "安全检查未通过 / security checks FAILED"
        if failed
        else "安全检查通过 / security checks passed"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
