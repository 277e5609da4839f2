#!/usr/bin/env bash
# `make bench`: the canonical example trained by the studio's CLI and, in the same run, by
# PyTorch eager (scripts/pytorch_reference.py) with the same network, options and threads;
# then the CSV loader at scale. A benchmark, not a test: it prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${BENCH_THREADS:-$(nproc)}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "== Japanese Vowels, 100 epochs, $THREADS threads =="
studio_json=$(./target/release/lstm-studio train examples/japanese_vowels.ron --threads "$THREADS" --out "$out/run" --json 2>/dev/null | tail -n 1)
torch_json=$(./.venv-python scripts/pytorch_reference.py --threads "$THREADS" \
  --train assets/data/JapaneseVowels_TRAIN.ts --test assets/data/JapaneseVowels_TEST.ts | tail -n 1)
./.venv-python - "$studio_json" "$torch_json" <<'PY'
import json, sys
s, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"studio : {s['train_seconds']:.2f} s  test accuracy {s['test_accuracy']:.4f}")
print(f"pytorch: {t['train_seconds']:.2f} s  test accuracy {t['test_accuracy']:.4f}")
print(f"ratio studio / pytorch: {s['train_seconds'] / t['train_seconds']:.3f}  (target <= 0.5)")
PY
if [ -x target/release/examples/bench_load_csv ]; then
  echo "== long CSV loading =="
  ./target/release/examples/bench_load_csv
fi
