# dvcbot — `make run` sets everything up and starts the assistant; `make test` sets up and runs all tests.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
VENV := .venv
PY := $(VENV)/bin/python
# the internet-facing processes (Telegram front end, webhook, staff page) on a Python that still gets security
# fixes, apart from Rasa 3.6 (which needs 3.10 and pins aiohttp 3.9.5): README "Dữ liệu cá nhân"
FRONT := .venv-front
FRONT_PY := $(FRONT)/bin/python
PIP_FLAGS := --disable-pip-version-check --no-input -q
SETUP_LOG := var/logs/setup.log
# uv does not read pip's configuration: hand it the extra indexes and wheel folders pip is configured with (a
# mirror, an offline wheel folder). Every file is checked against the lock's hashes, so taking the best match
# across indexes is safe.
UV_FLAGS = --python $(PY) $(UV_INDEX)
UV_INDEX = --index-strategy unsafe-best-match \
  $$($(PY) -m pip config get global.extra-index-url 2>/dev/null | tr ' ' '\n' | sed -n 's/^./--extra-index-url &/p') \
  $$($(PY) -m pip config get global.find-links 2>/dev/null | tr ' ' '\n' | sed -n 's/^./--find-links &/p')

.PHONY: run test check fmt lint typecheck fast setup setup-front kb model train emulator services browser lock clean audit

run: setup kb model
	@echo "▶ Khởi động trợ lý…"
	@$(VENV)/bin/dvcbot run

# everything: lint, format and types, then every test (fast ones included) with the real model and emulator
test: lint typecheck kb model emulator services browser
	@echo "▶ Chạy toàn bộ bộ kiểm thử (Rasa, máy chủ action, trình giả lập Telegram)…"
	$(VENV)/bin/python -m pytest -q
	@echo "▶ Kiểm thử phần giao tiếp Internet (bot Telegram, webhook) trên $$($(FRONT_PY) -V)…"
	$(FRONT_PY) -m pytest -q

# under a minute without a trained model and without Node: lint, format, types and the fast tests
check: lint typecheck fast

lint: setup
	@echo "▶ Kiểm tra mã: ruff, mypy, kiểm thử nhanh…"
	$(VENV)/bin/ruff check bot knowledge actions tests
	$(VENV)/bin/ruff format --check bot knowledge actions tests

typecheck: setup
	$(VENV)/bin/mypy

fast: setup
	$(VENV)/bin/python -m pytest -q -m "not stack and not emulator"
	$(FRONT_PY) -m pytest -q -m "not stack and not emulator"

# format the code and apply the safe lint fixes
fmt: setup
	$(VENV)/bin/ruff format bot knowledge actions tests
	$(VENV)/bin/ruff check --fix bot knowledge actions tests

setup: $(VENV)/.installed $(FRONT)/.installed

setup-front: $(FRONT)/.installed

# Python 3.10 (Rasa 3.6 needs < 3.11): python3.10 on PATH, else pyenv's 3.10.x, else a clear error.
# Installs exactly the locked versions (requirements.lock, every file checked against its hash) with uv, the
# faster installer (see README "Cài đặt"), then dvcbot itself without dependencies.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-uv.lock .python-version
	@set -e; \
	py=""; \
	if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2]==(3,10)' 2>/dev/null; then \
	  py=$$(command -v python3.10); \
	elif command -v pyenv >/dev/null 2>&1; then \
	  for v in $$(cat .python-version) $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$$)'); do \
	    if [ -x "$$(pyenv root)/versions/$$v/bin/python" ]; then py="$$(pyenv root)/versions/$$v/bin/python"; break; fi; \
	  done; \
	fi; \
	if [ -z "$$py" ]; then \
	  echo "Không tìm thấy Python 3.10. Cài Python 3.10 (ví dụ: pyenv install 3.10.13) rồi chạy lại." >&2; exit 1; \
	fi; \
	echo "▶ Cài thư viện Python từ requirements.lock (lần đầu khoảng 30 giây; nhật ký: $(SETUP_LOG))…"; \
	mkdir -p $$(dirname $(SETUP_LOG)); echo "$$(date -u) dùng $$py" >> $(SETUP_LOG); \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; assert sys.version_info[:2]==(3,10)' 2>/dev/null; then \
	  echo "$(VENV) không phải Python 3.10: tạo lại."; rm -rf $(VENV); \
	fi; \
	[ -x $(PY) ] || $$py -m venv $(VENV); \
	fail() { echo "Cài đặt thất bại; 30 dòng cuối của $(SETUP_LOG):" >&2; tail -30 $(SETUP_LOG) >&2; exit 1; }; \
	$(PY) -m pip install $(PIP_FLAGS) 'pip==24.0' >> $(SETUP_LOG) 2>&1 || fail; \
	$(PY) -m pip install $(PIP_FLAGS) --require-hashes -r requirements-uv.lock >> $(SETUP_LOG) 2>&1 || fail; \
	$(VENV)/bin/uv pip install --quiet $(UV_FLAGS) --require-hashes -r requirements.lock >> $(SETUP_LOG) 2>&1 || fail; \
	$(VENV)/bin/uv pip install --quiet $(UV_FLAGS) --no-deps -e . >> $(SETUP_LOG) 2>&1 || fail; \
	$(PY) -c 'import rasa, underthesea, telegram, sqlite_utils, jinja2' 2>> $(SETUP_LOG) || fail; \
	echo "✓ Thư viện Python đã cài"; \
	touch $@

# The second environment: Python 3.12 (python3.12 on PATH, else pyenv's 3.12.x), exactly requirements-front.lock
# (hashes checked) installed by the uv of $(VENV), and the repository on its path (a .pth file: dvcbot's own
# package metadata says Python 3.10 for Rasa). It must hold no Rasa and no TensorFlow.
$(FRONT)/.installed: requirements-front.lock $(VENV)/.installed
	@set -e; \
	py=""; \
	if command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys; assert sys.version_info[:2]==(3,12)' 2>/dev/null; then \
	  py=$$(command -v python3.12); \
	elif command -v pyenv >/dev/null 2>&1; then \
	  for v in $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.|$$)' | sort -V -r); do \
	    if [ -x "$$(pyenv root)/versions/$$v/bin/python" ]; then py="$$(pyenv root)/versions/$$v/bin/python"; break; fi; \
	  done; \
	fi; \
	if [ -z "$$py" ]; then \
	  echo "Không tìm thấy Python 3.12 cho bot Telegram. Cài Python 3.12 (ví dụ: pyenv install 3.12) rồi chạy lại." >&2; exit 1; \
	fi; \
	echo "▶ Cài môi trường thứ hai ($(FRONT), $$($$py -V)) cho bot Telegram từ requirements-front.lock…"; \
	mkdir -p $$(dirname $(SETUP_LOG)); echo "$$(date -u) $(FRONT) dùng $$py" >> $(SETUP_LOG); \
	if [ -x $(FRONT_PY) ] && ! $(FRONT_PY) -c 'import sys; assert sys.version_info[:2]==(3,12)' 2>/dev/null; then \
	  echo "$(FRONT) không phải Python 3.12: tạo lại."; rm -rf $(FRONT); \
	fi; \
	fail() { echo "Cài đặt thất bại; 30 dòng cuối của $(SETUP_LOG):" >&2; tail -30 $(SETUP_LOG) >&2; exit 1; }; \
	[ -x $(FRONT_PY) ] || $$py -m venv --without-pip $(FRONT) >> $(SETUP_LOG) 2>&1 || fail; \
	$(VENV)/bin/uv pip install --quiet --python $(FRONT_PY) $(UV_INDEX) --require-hashes -r requirements-front.lock \
	  >> $(SETUP_LOG) 2>&1 || fail; \
	echo "$(CURDIR)" > "$$($(FRONT_PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/dvcbot.pth"; \
	$(FRONT_PY) -c 'import telegram, aiohttp, underthesea, sqlite_utils, jinja2, bot.telegram.app, knowledge.search' \
	  2>> $(SETUP_LOG) || fail; \
	! $(FRONT_PY) -c 'import rasa' 2>/dev/null || { echo "$(FRONT) chứa Rasa: không được." >&2; exit 1; }; \
	! $(FRONT_PY) -c 'import tensorflow' 2>/dev/null || { echo "$(FRONT) chứa TensorFlow: không được." >&2; exit 1; }; \
	echo "✓ Môi trường bot Telegram đã cài ($$($(FRONT_PY) -V))"; \
	touch $@

# Regenerate the lock files after changing a pin in pyproject.toml (the pins there stay exact).
lock: setup
	$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.10 $(UV_FLAGS) --extra test \
	  --custom-compile-command "make lock" -o requirements.lock pyproject.toml
	$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.12 $(UV_FLAGS) \
	  --custom-compile-command "make lock" -o requirements-front.lock requirements-front.in
	echo "uv==0.13.9" | $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.10 $(UV_FLAGS) \
	  --custom-compile-command "make lock" -o requirements-uv.lock -

kb: setup
	@echo "▶ Dựng cơ sở tri thức từ knowledge/content…"
	@$(VENV)/bin/dvcbot kb build

# trains only when config, domain, nlu_data, the NLU components or the FAQ questions changed
model: setup kb
	@$(VENV)/bin/dvcbot train

train: setup kb
	$(VENV)/bin/dvcbot train --force

# Redis and PostgreSQL server programs, for several Rasa workers (`dvcbot run --workers N`) and their test; the
# stack starts its own servers from them with data under var/. Debian packages, installed once (quiet; waits
# for another apt-get to finish). Measured on the busy 2-core machine: redis-server 8 s, postgresql 62 s (download
# included).
SERVICE_PACKAGES := redis-server postgresql
services:
	@if command -v redis-server >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
	  echo "✓ Redis và PostgreSQL đã cài"; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "▶ Cài Redis và PostgreSQL (apt-get: $(SERVICE_PACKAGES); nhật ký: $(SETUP_LOG))…"; \
	  mkdir -p $$(dirname $(SETUP_LOG)); \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  apt="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o DPkg::Lock::Timeout=300"; \
	  { apt-cache policy redis-server | grep -q 'Candidate: [0-9]' || $$apt update; } >> $(SETUP_LOG) 2>&1; \
	  $$apt install --no-install-recommends $(SERVICE_PACKAGES) >> $(SETUP_LOG) 2>&1 \
	    || { echo "Cài Redis/PostgreSQL thất bại; xem $(SETUP_LOG)" >&2; exit 1; }; \
	  echo "✓ Redis và PostgreSQL đã cài"; \
	else \
	  echo "Cần redis-server và PostgreSQL (gói redis-server, postgresql) cho nhiều worker Rasa." >&2; exit 1; \
	fi

# headless Chromium for the staff page's browser test (Debian's package, driven over the DevTools protocol)
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "▶ Cài Chromium cho kiểm thử trang cán bộ (apt)…"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); mkdir -p $$(dirname $(SETUP_LOG)); \
	  { $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium fonts-noto-core; } \
	    >> $(SETUP_LOG) 2>&1 || { echo "Không cài được Chromium; xem $(SETUP_LOG)." >&2; exit 1; }; \
	fi
	@echo "✓ Chromium đã cài"

emulator: tests/emulator/node_modules/.installed
	@echo "✓ Trình giả lập Telegram đã cài"

tests/emulator/node_modules/.installed: tests/emulator/package.json tests/emulator/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "Cần Node.js và npm để chạy kiểm thử Telegram (trình giả lập Bot API). Cài Node.js 18+ rồi chạy lại." >&2; exit 1; }
	@echo "▶ Cài trình giả lập Telegram (npm ci)…"
	cd tests/emulator && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# both environments against security/advisories.json (vendored: pip-audit has no network here); fails on a
# known advisory not allowed for that environment (security/allowed.json: Rasa's loopback-only pins), and when
# it checked nothing
audit: setup
	@rasa=0; front=0; \
	echo "▶ Môi trường Rasa ($(VENV), chỉ nghe trên 127.0.0.1):"; $(PY) security/audit.py --env rasa || rasa=$$?; \
	echo "▶ Môi trường nhận kết nối từ Internet ($(FRONT)):"; $(FRONT_PY) security/audit.py --env front || front=$$?; \
	[ $$rasa -eq 0 ] && [ $$front -eq 0 ]

clean:
	rm -rf $(VENV) $(FRONT) models var tests/emulator/node_modules
