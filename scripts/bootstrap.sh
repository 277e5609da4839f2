#!/usr/bin/env bash
# Bootstrap libtorch for LSTM Studio, once per user.
#
# - If LIBTORCH points at an existing libtorch (e.g. a CUDA build you already have), that is used.
# - Otherwise PyPI's torch==2.13.0 wheel (the version tch 0.26 expects) is installed into a
#   per-user cache, $LSTM_STUDIO_TORCH_DIR (default ~/.cache/lstm-studio/torch-2.13.0), so every
#   clone and every CI run on the machine reuses it.
# - Either way the repo gets a link `.libtorch` to the libtorch directory (with lib/ and include/),
#   which .cargo/config.toml hands to tch and build.rs embeds as an rpath; and `.venv-python`, a
#   wrapper for a python3 that has torch (the PyTorch side of benchmarks and export tests).
# Idempotent: a second run does nothing but re-check the links.
set -euo pipefail

TORCH_VERSION=2.13.0
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${LSTM_STUDIO_TORCH_DIR:-$HOME/.cache/lstm-studio/torch-$TORCH_VERSION}"

fail() {
  echo "bootstrap: $*" >&2
  exit 1
}

link() { ln -sfn "$1" "$repo/$2"; }

install_venv() {
  command -v python3 >/dev/null || fail "python3 is needed to install libtorch from PyPI (apt-get install python3 python3-venv), or set LIBTORCH to an existing libtorch $TORCH_VERSION"
  echo "bootstrap: installing torch==$TORCH_VERSION from PyPI into $venv (once per user, ~5 GB, a few minutes)" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check \
    "torch==$TORCH_VERSION" numpy safetensors ||
    fail "pip could not install torch==$TORCH_VERSION; check that PyPI is reachable, or set LIBTORCH to an existing libtorch $TORCH_VERSION"
  "$venv/bin/python3" -c "import torch; assert torch.__version__.startswith('$TORCH_VERSION'), torch.__version__" ||
    fail "torch in $venv is not $TORCH_VERSION; remove $venv and run again"
  # Only a complete install is marked; an interrupted one is redone from scratch next time.
  touch "$venv/.lstm-studio-complete"
}

if [ -n "${LIBTORCH:-}" ]; then
  [ -e "$LIBTORCH/lib/libtorch_cpu.so" ] || [ -e "$LIBTORCH/lib/libtorch_cpu.dylib" ] ||
    fail "LIBTORCH=$LIBTORCH has no lib/libtorch_cpu.so; point it at a libtorch $TORCH_VERSION directory (with lib/ and include/), or unset it to use the cached PyPI build"
  link "$LIBTORCH" .libtorch
else
  [ -e "$venv/.lstm-studio-complete" ] || install_venv
  site="$(echo "$venv"/lib/python3*/site-packages)"
  [ -e "$site/torch/lib/libtorch_cpu.so" ] || fail "$site/torch has no lib/libtorch_cpu.so; remove $venv and run again"
  link "$site/torch" .libtorch
fi

# A python with torch for the PyTorch side (benchmarks, export tests).
# (A wrapper script, not a link: python finds its venv from the path it was started by.)
if [ -x "$venv/bin/python3" ]; then
  rm -f "$repo/.venv-python"
  printf '#!/bin/sh\nexec "%s" "$@"\n' "$venv/bin/python3" >"$repo/.venv-python"
  chmod +x "$repo/.venv-python"
fi
