# The README's two commands: `make demo` (dream a sample with bvlc_googlenet) and `make test`.
# Each creates .venv and installs what it needs on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
INPUT ?=
MODEL ?=
LAYERS ?=

.PHONY: demo test install lint bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	# torch first, pinned: this takes the local CPU wheel here, and the CUDA build on a user's machine.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# MODEL=path/to/NAME.caffemodel (its folder holds the deploy .prototxt) or a zoo name; LAYERS="blob1 blob2".
demo: $(STAMP)
	$(VENV)/bin/deepdream demo $(if $(INPUT),--input "$(INPUT)") \
		$(if $(MODEL),$(if $(findstring /,$(MODEL)),-p "$(dir $(MODEL))") -m "$(notdir $(MODEL))") \
		$(foreach layer,$(LAYERS),-l "$(layer)")

test: $(STAMP)
	@if [ -x "$${STUDIO_BROWSER:-/usr/bin/chromium}" ]; then \
		echo "studio browser tests: run with $${STUDIO_BROWSER:-/usr/bin/chromium}"; \
	else \
		echo "studio browser tests: SKIPPED - no $${STUDIO_BROWSER:-/usr/bin/chromium} (apt-get install -y chromium)"; \
	fi
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info
