"""Results computed from the lake are remembered until the lake changes (a new manifest)."""

import os

from techvalley.core.models import Complex
from techvalley.green import services


def test_lake_memo_recomputes_only_when_the_manifest_changes(settings, tmp_path):
    settings.TECHVALLEY_LAKE_DIR = tmp_path
    cx = Complex(slug="memo-test")
    lake = tmp_path / "memo-test"
    lake.mkdir()
    calls = []

    def compute():
        calls.append(1)
        return {"total": len(calls), "rows": [1, 2]}

    first = services.lake_memo("t", cx, (2025,), compute)
    again = services.lake_memo("t", cx, (2025,), compute)
    assert first == again and len(calls) == 1
    again["rows"].append(3)  # a caller's change never reaches the remembered copy
    assert services.lake_memo("t", cx, (2025,), compute)["rows"] == [1, 2]
    assert services.lake_memo("t", cx, (2024,), compute)["total"] == 2  # other arguments: computed
    (lake / "new.json").write_text('{"version": 1}')
    os.replace(lake / "new.json", lake / "_manifest.json")  # how an ingest publishes
    assert services.lake_memo("t", cx, (2025,), compute)["total"] == 3
    assert services.lake_memo("t", cx, (2025,), compute)["total"] == 3
