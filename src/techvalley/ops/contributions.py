"""What operations contribute through the spine: the health and readiness endpoints (at the
site's root, open to anyone, nothing sensitive in the answer) and their access table. Backups
are command-line only (``cli.py``)."""

from techvalley.core import spine
from techvalley.core.spine import ANYONE, Access

spine.pages("", "techvalley.ops.urls")
spine.access(
    "ops",
    [
        Access("ops:healthz", ANYONE, note="process up; no database or disk"),
        Access("ops:readyz", ANYONE, note="database, migrations, data directory, lake; states only"),
    ],
)
