#!/usr/bin/env bash
# The GPU check, in one go (within 8 minutes on one recent NVIDIA GPU): the CUDA-marked tests, then the GPU rows
# for benchmarks/README.md (benchmarks/gpu_check.py says what each row measures).
#
#   bash benchmarks/gpu_check.sh            # from the repository root, on a machine with an NVIDIA GPU
#
# Python: $PYTHON if set, else .venv/bin/python, else python3, whichever first has a CUDA build of torch; with
# none, a venv .venv-gpu gets torch==2.13.0 from PyPI (a CUDA build on Linux x86-64). The project itself runs from
# src/ (no install). Missing light dependencies are installed into .venv-gpu from PyPI, or from wheels in .whl/
# where nothing can be reached (pip download them beforehand: av platformdirs, for Python and manylinux x86-64).
#
# Models (no download): bvlc_googlenet/deploy.prototxt (random weights are made from it) and open_nsfw/ (real
# weights, for CUDA vs CPU) under $MODELS, else ../shared/models, else .gpu_check/models (copy them there and
# carry that folder where ../shared does not travel).
#
# Without a GPU it stops at once with one line and exit code 1.
set -uo pipefail

say() { echo "gpu_check: $*"; }
cd "$(dirname "$0")/.." || exit 1

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q "^GPU "; then
    say "no NVIDIA GPU here (nvidia-smi lists none): run this on a machine with one" >&2
    exit 1
fi

has_cuda_torch() { "$1" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" >/dev/null 2>&1; }
python=""
for candidate in "${PYTHON:-}" .venv/bin/python .venv-gpu/bin/python python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && has_cuda_torch "$candidate"; then
        python=$candidate
        break
    fi
done
if [ -z "$python" ]; then
    say "no Python with a CUDA torch: making .venv-gpu with torch==2.13.0"
    python3 -m venv .venv-gpu && .venv-gpu/bin/python -m pip install -q torch==2.13.0 || {
        say "could not install torch==2.13.0 (no PyPI here?): set PYTHON to a Python with a CUDA torch" >&2
        exit 1
    }
    python=.venv-gpu/bin/python
fi

# The light dependencies the rows and tests need (PyAV only for the video row; it says so when missing).
missing=$("$python" - <<'EOF'
import importlib.util
names = {"numpy": "numpy", "PIL": "Pillow", "google.protobuf": "protobuf", "typer": "typer", "rich": "rich",
         "safetensors": "safetensors", "platformdirs": "platformdirs", "cv2": "opencv-python-headless", "av": "av",
         "pytest": "pytest", "hypothesis": "hypothesis"}
print(" ".join(package for module, package in names.items() if importlib.util.find_spec(module.split(".")[0]) is None
               or (module == "google.protobuf" and importlib.util.find_spec(module) is None)))
EOF
)
if [ -n "$missing" ]; then
    if [ "$python" != ".venv-gpu/bin/python" ]; then
        "$python" -m venv --system-site-packages .venv-gpu && python=.venv-gpu/bin/python
    fi
    say "installing $missing"
    # shellcheck disable=SC2086
    if [ -d .whl ]; then
        "$python" -m pip install -q --no-index --find-links .whl $missing
    else
        "$python" -m pip install -q $missing
    fi || say "could not install all of: $missing (the rows that need them say so)"
fi
export PYTHONPATH="$PWD/src:$PWD${PYTHONPATH:+:$PYTHONPATH}"

models=""
for candidate in "${MODELS:-}" ../shared/models .gpu_check/models; do
    if [ -n "$candidate" ] && [ -f "$candidate/bvlc_googlenet/deploy.prototxt" ]; then
        models=$candidate
        break
    fi
done
if [ -z "$models" ]; then
    say "no bvlc_googlenet/deploy.prototxt under \$MODELS, ../shared/models or .gpu_check/models: copy it there" >&2
    exit 1
fi

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
started=$SECONDS
say "CUDA tests (pytest -m cuda)"
timeout 180 "$python" -m pytest -q -m cuda -p no:cacheprovider tests/dreaming/test_dream.py \
    tests/dreaming/test_dream_device.py 2>&1 | tail -n 15
say "GPU rows (models from $models)"
timeout $((460 - (SECONDS - started))) "$python" benchmarks/gpu_check.py --models "$models"
code=$?
[ $code -eq 124 ] && say "the rows ran past the 8 minutes: the ones printed above are complete"
say "done in $((SECONDS - started)) s"
exit $code
