# Tongban: `make run` serves the demo, `make test` runs the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_BOOT := .tools/bin/uv
UV := $(shell command -v uv 2>/dev/null || echo $(UV_BOOT))
export UV_PYTHON_DOWNLOADS := never
PY := .venv/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run setup test bench lint format openapi messages os-packages sync clean totp screenshots \
	prod load faults fuzz drill security

help:
	@echo "make run    安装、迁移、加载演示数据,并在 http://$(HOST):$(PORT) 提供服务(含后台任务进程)"
	@echo "make setup  同上,但不启动服务 / everything but serving"
	@echo "make test   全部测试与 ruff 检查 / the whole suite plus ruff"
	@echo "make bench  性能基准 / benchmarks (prints figures)"
	@echo "make messages  更新英文翻译目录 / update and compile the English catalogue"
	@echo "make prod   生产形态:nginx + gunicorn + 任务进程 + PostgreSQL + Redis / production shape on this machine"
	@echo "make load   1000 并发用户压力测试 / load test ramped to 1,000 users (docs/load.md)"
	@echo "make faults 故障演练 / kill -9, PostgreSQL restart, providers down, full disk (docs/faults.md)"
	@echo "make fuzz   全部接口模糊测试 / schemathesis on every API operation (docs/fuzzing.md)"
	@echo "make drill  备份与恢复演练 / backup and restore drill with RPO/RTO (docs/backup.md)"
	@echo "make security 安全检查 / bandit, pip-audit, check --deploy, headers (docs/security.md)"
	@echo "make totp   演示工作人员账号当前的动态验证码 / the demo staff accounts' current TOTP code"

# uv is bootstrapped into .tools/ with pip when it is not on PATH (no root needed).
$(UV_BOOT):
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

sync: $(if $(shell command -v uv 2>/dev/null),,$(UV_BOOT))
	$(UV) sync --frozen

setup: sync
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo --once
	$(MANAGE) collectstatic --noinput --verbosity 0

run: setup
	$(MANAGE) serve --host $(HOST) --port $(PORT)

# The current code of the demo staff accounts' TOTP secret (tongban/identity/demo.py).
totp:
	@$(MANAGE) demo_totp

os-packages:
	@bash scripts/os-packages.sh

test: sync os-packages
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/pytest

# The pictures in docs/screenshots/, taken by the browser tests (tongban/tests/browser.py).
screenshots: sync os-packages
	TONGBAN_SCREENSHOTS=1 .venv/bin/pytest -q -m browser

bench: sync
	$(PY) -m bench

lint: sync
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: sync
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

openapi: sync
	$(MANAGE) export_openapi_schema --api tongban.api.api --indent 2 --sorted \
		--output docs/openapi.json

# English catalogue: new strings get an empty msgstr (translate them), existing ones are kept.
messages: sync
	$(MANAGE) makemessages -l en --ignore ".venv/*" --ignore ".tools/*" --ignore "var/*" --no-obsolete
	$(MANAGE) compilemessages -l en --ignore ".venv/*" --ignore ".tools/*"

# Proof under load, faults and attack (issue 12). Long runs, not part of `make test`;
# each prints its figures and writes them under var/proof/.
prod: sync os-packages
	$(PY) -m proof.stack up

load: sync os-packages
	$(PY) -m proof.load

faults: sync os-packages
	$(PY) -m proof.faults

fuzz: sync
	$(PY) -m proof.fuzz

drill: sync
	$(PY) -m proof.drill

security: sync
	$(PY) -m proof.security

clean:
	rm -rf .venv .tools var/static
