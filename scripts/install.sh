#!/usr/bin/env bash
# Per-user install of LSTM Studio, so it starts with a double-click from the desktop's menu:
#   ~/.local/bin/lstm-studio                     the release binary (built by `make install`)
#   ~/.local/bin/lstm-studio-open                a launcher: `lstm-studio-open [project.ron]`
#   ~/.local/share/applications/lstm-studio.desktop
#   ~/.local/share/icons/hicolor/{256x256,scalable}/apps/lstm-studio.{png,svg}
# `scripts/install.sh --uninstall` removes exactly those files again.
# PREFIX (default ~/.local) changes where everything goes. No root needed.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="${PREFIX:-$HOME/.local}"
bin_dir="$prefix/bin"
app_dir="$prefix/share/applications"
icon_dir="$prefix/share/icons/hicolor"
files=(
  "$bin_dir/lstm-studio"
  "$bin_dir/lstm-studio-open"
  "$app_dir/lstm-studio.desktop"
  "$icon_dir/256x256/apps/lstm-studio.png"
  "$icon_dir/scalable/apps/lstm-studio.svg"
)

refresh() {
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$app_dir" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$icon_dir" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
  for f in "${files[@]}"; do
    if [ -e "$f" ]; then
      rm -f "$f"
      echo "removed $f"
    fi
  done
  refresh
  echo "LSTM Studio is uninstalled (your projects and ~/.cache/lstm-studio are left alone)."
  exit 0
fi
if [ $# -gt 0 ]; then
  echo "usage: $0 [--uninstall]" >&2
  exit 2
fi

binary=target/release/lstm-studio
[ -x "$binary" ] || { echo "install: $binary is missing: run \`make install\` (it builds first)" >&2; exit 1; }

mkdir -p "$bin_dir" "$app_dir" "$icon_dir/256x256/apps" "$icon_dir/scalable/apps"
# Copy to a temporary name and rename, so a running studio is never overwritten in place.
install -m 755 "$binary" "$bin_dir/.lstm-studio.new" && mv -f "$bin_dir/.lstm-studio.new" "$bin_dir/lstm-studio"
cat > "$bin_dir/lstm-studio-open" <<LAUNCHER
#!/bin/sh
# Opens LSTM Studio, with a project file when one is given (the desktop entry's %f).
if [ -n "\$1" ]; then exec "$bin_dir/lstm-studio" --project "\$1"; fi
exec "$bin_dir/lstm-studio"
LAUNCHER
chmod 755 "$bin_dir/lstm-studio-open"
sed "s|^Exec=lstm-studio-open|Exec=$bin_dir/lstm-studio-open|; s|^TryExec=lstm-studio|TryExec=$bin_dir/lstm-studio|" \
  assets/lstm-studio.desktop > "$app_dir/lstm-studio.desktop"
chmod 644 "$app_dir/lstm-studio.desktop"
install -m 644 assets/icon.png "$icon_dir/256x256/apps/lstm-studio.png"
install -m 644 assets/icon.svg "$icon_dir/scalable/apps/lstm-studio.svg"
refresh
for f in "${files[@]}"; do echo "installed $f"; done
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "note: $bin_dir is not on your PATH; the desktop entry works anyway (it uses the full path)" ;;
esac
echo "LSTM Studio is in your applications menu (libtorch stays in ~/.cache/lstm-studio, where the binary finds it)."
