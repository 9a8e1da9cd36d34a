# Shared by scripts/run.sh and scripts/test.sh: find or install uv, the only bootstrap needed.
# shellcheck shell=bash

ensure_uv() {
  export PATH="$HOME/.local/bin:$PATH"
  if command -v uv >/dev/null 2>&1; then return 0; fi
  echo "[setup] installing uv (Python package manager) for this user"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends python3-pip
  fi
  # --user keeps system Python untouched; Debian marks it externally managed, hence the flag.
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q --user uv
  command -v uv >/dev/null 2>&1 || { echo "uv could not be installed" >&2; return 1; }
}
