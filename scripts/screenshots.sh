#!/usr/bin/env bash
# `make screenshots`: the real app in a real window under Xvfb renders itself into
# screenshots/*.png (lstm-studio --screenshot), one per area, mid-training and after.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v xvfb-run >/dev/null || need+=(xvfb xauth)
for p in libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libfontconfig1 libegl1 libgl1 libgl1-mesa-dri libegl-mesa0; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (for a virtual display)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; else sudo apt-get install -y "${need[@]}"; fi
fi
mkdir -p screenshots
bin=target/release/lstm-studio
shoot() { # name, args…
  local name=$1; shift
  LIBGL_ALWAYS_SOFTWARE=1 timeout 600 xvfb-run -a -s "-screen 0 1400x900x24" "$bin" --screenshot "screenshots/$name.png" "$@"
}
shoot network --area network
shoot data --area data
shoot training-mid --area training --train-epochs 100 --shoot-after-iterations 300
shoot training --area training --train-epochs 100
shoot results --area results --train-epochs 100
shoot inspect --area inspect --train-epochs 30
ls -l screenshots
