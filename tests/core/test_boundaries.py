"""The boundaries between apps (docs/decisions/0005-the-spine.md), checked by import-linter.

The contracts live in pyproject.toml: core and the root modules import no app; the registry
is the shared kernel; sibling domain apps never import each other; no app imports the portal.
"""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is not installed (it is in the dev extras)"
    run = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
