# dvcbot — `make run` sets everything up and starts the assistant; `make test` sets up and runs all tests.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
VENV := .venv
PY := $(VENV)/bin/python
PIP_FLAGS := --disable-pip-version-check --no-input -q
SETUP_LOG := var/logs/setup.log
# uv does not read pip's configuration: hand it the extra indexes and wheel folders pip is configured with (a
# mirror, an offline wheel folder). Every file is checked against the lock's hashes, so taking the best match
# across indexes is safe.
UV_FLAGS = --python $(PY) --index-strategy unsafe-best-match \
  $$($(PY) -m pip config get global.extra-index-url 2>/dev/null | tr ' ' '\n' | sed -n 's/^./--extra-index-url &/p') \
  $$($(PY) -m pip config get global.find-links 2>/dev/null | tr ' ' '\n' | sed -n 's/^./--find-links &/p')

.PHONY: run test check fmt lint typecheck fast setup kb model train emulator browser lock clean audit

run: setup kb model
	@echo "▶ Khởi động trợ lý…"
	@$(VENV)/bin/dvcbot run

# everything: lint, format and types, then every test (fast ones included) with the real model and emulator
test: lint typecheck kb model emulator browser
	@echo "▶ Chạy toàn bộ bộ kiểm thử (Rasa, máy chủ action, trình giả lập Telegram)…"
	$(VENV)/bin/python -m pytest -q

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

# format the code and apply the safe lint fixes
fmt: setup
	$(VENV)/bin/ruff format bot knowledge actions tests
	$(VENV)/bin/ruff check --fix bot knowledge actions tests

setup: $(VENV)/.installed

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

# Regenerate the lock files after changing a pin in pyproject.toml (the pins there stay exact).
lock: setup
	$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.10 $(UV_FLAGS) --extra test \
	  --custom-compile-command "make lock" -o requirements.lock pyproject.toml
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

# the installed versions against security/advisories.json (vendored: pip-audit has no network here);
# fails on a known advisory, and when it checked nothing
audit: setup
	$(PY) security/audit.py

clean:
	rm -rf $(VENV) models var tests/emulator/node_modules
