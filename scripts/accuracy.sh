#!/usr/bin/env bash
# The canonical example (examples/japanese_vowels.ron) for five seeds: test accuracy of each.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for seed in 1 2 3 4 5; do
  json=$(./target/release/lstm-studio train examples/japanese_vowels.ron --seed "$seed" --out "$out/$seed" --json 2>/dev/null | tail -n 1)
  echo "seed $seed: $json"
done
