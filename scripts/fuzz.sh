#!/usr/bin/env bash
# Fuzzes the data loaders (src/data) with cargo-fuzz: each target in fuzz/ runs for
# FUZZ_SECONDS (default 60). Installs cargo-fuzz if it is missing. cargo-fuzz needs nightly
# features; on a stable toolchain RUSTC_BOOTSTRAP=1 unlocks them.
# A crash is saved under fuzz/artifacts/<target>/; turn it into a regression test (a #[test]
# with the input bytes) in the module that crashed.
#   scripts/fuzz.sh                 # all targets, 60 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh fuzz_csv
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(fuzz_ts fuzz_csv fuzz_uci fuzz_npz)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

# Stable toolchains need this for the -Z flags cargo-fuzz passes; harmless on nightly.
# FUZZ_SANITIZER=address turns AddressSanitizer on (the data module has no unsafe code, so
# the default is none: faster, and every panic is still caught).
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"

cd "$repo/fuzz"
# Seed corpora: the embedded sample data (only for targets that read that format).
mkdir -p corpus/fuzz_ts corpus/fuzz_csv corpus/fuzz_uci corpus/fuzz_npz
if [[ -d "$repo/assets/data" ]]; then
  for f in "$repo"/assets/data/*.ts; do
    [[ -e "$f" ]] || continue
    head -c 4096 "$f" >"corpus/fuzz_ts/$(basename "$f")"
  done
  [[ -e "$repo/assets/data/Airline.csv" ]] && cp "$repo/assets/data/Airline.csv" corpus/fuzz_csv/
fi
printf 'id,time,x,label\na,1,0.5,p\na,2,?,p\nb,1,3,q\n' >corpus/fuzz_csv/small.csv
printf '\x021 2\n3 4\n\n5 6\n' >corpus/fuzz_uci/small.txt
# A small valid .npz (X float32 2x3x2, y int64, lengths) and .npy, written with Python's zipfile.
if command -v python3 >/dev/null; then
  python3 - <<'PY'
import struct, zipfile
def npy(descr, shape, data):
    dims = "(%s)" % (", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, dims)
    h += " " * (63 - (10 + len(h)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + data
x = npy("<f4", (2, 3, 2), struct.pack("<12f", *range(12)))
open("corpus/fuzz_npz/x.npy", "wb").write(x)
for method, name in ((zipfile.ZIP_STORED, "stored"), (zipfile.ZIP_DEFLATED, "deflated")):
    with zipfile.ZipFile("corpus/fuzz_npz/%s.npz" % name, "w", method) as z:
        z.writestr("X.npy", x)
        z.writestr("y.npy", npy("<i8", (2,), struct.pack("<2q", 3, 10)))
        z.writestr("lengths.npy", npy("<i4", (2,), struct.pack("<2i", 2, 3)))
PY
fi

status=0
for target in "${targets[@]}"; do
  echo "fuzz: $target for ${seconds}s" >&2
  if ! cargo fuzz run --sanitizer "${FUZZ_SANITIZER:-none}" "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536; then
    echo "fuzz: $target found a crash; see fuzz/artifacts/$target/" >&2
    status=1
  fi
done
exit "$status"
