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
data=(--train assets/data/JapaneseVowels_TRAIN.ts --test assets/data/JapaneseVowels_TEST.ts)
torch_json=$(./.venv-python scripts/pytorch_reference.py --threads "$THREADS" "${data[@]}" | tail -n 1)
padded_json=$(./.venv-python scripts/pytorch_reference.py --threads "$THREADS" --padded "${data[@]}" | tail -n 1)
./.venv-python - "$studio_json" "$torch_json" "$padded_json" <<'PY'
import json, sys
s, t, p = (json.loads(a) for a in sys.argv[1:4])
print(f"studio                   : {s['train_seconds']:.2f} s  test accuracy {s['test_accuracy']:.4f}")
print(f"pytorch (packed, idiom)  : {t['train_seconds']:.2f} s  test accuracy {t['test_accuracy']:.4f}")
print(f"pytorch (padded + gather): {p['train_seconds']:.2f} s  test accuracy {p['test_accuracy']:.4f}")
print(f"ratio studio / pytorch: {s['train_seconds'] / t['train_seconds']:.3f}  (target <= 0.5)")
print(f"ratio studio / pytorch given the studio's padded-kernel trick: {s['train_seconds'] / p['train_seconds']:.3f}")
PY
if [ -x target/release/examples/bench_load_csv ]; then
  echo "== long CSV loading =="
  ./target/release/examples/bench_load_csv
fi
