"""Locate the external tools the suite needs. A missing tool FAILS the test, never skips it:
a skipped test proves nothing. `scripts/install-test-tools.sh` installs all of them."""

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOLS_DIR = Path(
    os.environ.get(
        "PORTAL_TOOLS_DIR",
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "learning-portal"
        / "tools",
    )
)
VENV_BIN = Path(sys.executable).parent
# Debian puts nginx and friends in sbin, which is not always on a non-root PATH.
EXTRA_DIRS = [TOOLS_DIR / "bin", VENV_BIN, Path("/usr/sbin"), Path("/usr/local/sbin")]


def tool(name: str) -> str:
    """Absolute path of `name`, or fail the test with how to install it."""
    for d in EXTRA_DIRS:
        candidate = d / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(
        f"required tool {name!r} not found (looked in PATH and {', '.join(map(str, EXTRA_DIRS))}); "
        "run scripts/install-test-tools.sh",
        pytrace=False,
    )
