"""Security scans in make test (docs/security.md): bandit, pip-audit, check --deploy, headers.

Each runs as a subprocess through proof/security.py, the module `make security` prints.
"""

import pytest

from proof import security


def test_bandit_finds_nothing_unexplained_in_the_platform():
    found = security.bandit_findings(security.GATED)

    assert not found, "\n".join(
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in found
    )


def test_every_nosec_has_its_justification_in_bandit_md():
    assert security.unexplained_nosec(security.GATED) == []


def test_a_nosec_without_a_row_is_reported(tmp_path, monkeypatch):
    (tmp_path / "tongban").mkdir()
    (tmp_path / "tongban" / "x.py").write_text("eval(x)  # nosec B307\n")
    (tmp_path / "security").mkdir()
    (tmp_path / "security" / "bandit.md").write_text("| B608 | `tongban/x.py` | … |\n")
    monkeypatch.setattr(security, "ROOT", tmp_path)
    monkeypatch.setattr(security, "SECURITY", tmp_path / "security")

    assert security.unexplained_nosec(("tongban",)) == ["tongban/x.py:1 B307"]


def test_pip_audit_of_the_locked_requirements():
    audit = security.pip_audit()

    assert not audit.findings, f"not in security/pip-audit-ignore.txt: {audit.findings}"
    if audit.error or audit.unaudited:
        pytest.skip(
            audit.error
            or f"vulnerability service unreachable or without data: {len(audit.unaudited)} of "
            f"{len(audit.unaudited) + audit.audited} locked packages could not be audited"
        )
    assert audit.audited > 0


def test_the_ignore_file_lines_need_a_justification(tmp_path, monkeypatch):
    (tmp_path / "pip-audit-ignore.txt").write_text("# comment\nPYSEC-2099-1 django\n")
    monkeypatch.setattr(security, "SECURITY", tmp_path)

    with pytest.raises(ValueError, match="justification"):
        security.ignored_vulnerabilities()


def test_check_deploy_is_clean_in_production_settings():
    run = security.deploy_check()

    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_production_responses_carry_the_security_headers():
    result = security.check_headers()

    assert result.status == "pass", "\n".join(result.lines)
