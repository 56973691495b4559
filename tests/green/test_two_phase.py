"""An ingest and its database writes (meters, companies, ingest log) as one unit: the lake's batch
is prepared, the database commits, then the batch is published. A crash on either side of the
database commit is settled when the lake is next opened (services.lake_for)."""

import pytest

from techvalley.green import services
from techvalley.green.lake import Lake, PendingBatch
from techvalley.green.models import IngestLog, Meter
from tests.green.conftest import write_csv
from tests.green.test_ingest import quarter_rows


def _meter_rows(world):
    return [{"meter_id": "N-electricity", "company": world["a"].name, "kind": "electricity", "resolution": "15min"}]


class Killed(BaseException):
    """A kill: no clean-up handler runs (``except Exception`` does not catch it)."""


@pytest.mark.django_db
def test_meters_readings_and_log_are_committed_together(world, tmp_path):
    path = write_csv(tmp_path / "n.csv", quarter_rows("N-electricity"))
    result = services.ingest_files(world["cx"], [path], meter_rows=[_meter_rows(world)])
    lake = services.lake_for(world["cx"])
    assert result.accepted == 96 and list(lake.manifest()["batches"]) == [result.batch]
    assert IngestLog.objects.get(complex=world["cx"]).batch == result.batch
    assert Meter.objects.filter(complex=world["cx"], meter_id="N-electricity").exists()
    assert not lake.pending_path.exists()


@pytest.mark.django_db
def test_a_failing_database_commit_publishes_nothing(world, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "n.csv", quarter_rows("N-electricity"))

    def broken_log(*_a, **_k):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_log", broken_log)
    with pytest.raises(RuntimeError):
        services.ingest_files(world["cx"], [path], meter_rows=[_meter_rows(world)])
    lake = services.lake_for(world["cx"])
    assert lake.manifest()["batches"] == {} and lake.manifest()["files"] == []
    assert not Meter.objects.filter(meter_id="N-electricity").exists() and not IngestLog.objects.exists()
    assert not lake.pending_path.exists() and not (lake.root / "_staging").exists()
    lake.vacuum()
    assert not list((lake.root / "readings").rglob("*.parquet"))  # the prepared files were unlisted


@pytest.mark.django_db
def test_killed_before_the_database_commit_the_prepared_batch_is_discarded(world, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "n.csv", quarter_rows("N-electricity"))

    def killed(*_a, **_k):
        raise Killed

    monkeypatch.setattr(services, "_log", killed)
    monkeypatch.setattr(Lake, "discard_pending", lambda self: None)  # a kill runs no clean-up
    with pytest.raises(Killed):
        services.ingest_files(world["cx"], [path], meter_rows=[_meter_rows(world)])
    raw = Lake(services.settings.TECHVALLEY_LAKE_DIR / world["cx"].slug)
    assert raw.pending_path.exists() and raw.manifest()["batches"] == {}
    with pytest.raises(PendingBatch):  # a lake that cannot ask the database refuses to write over it
        with raw.writer():
            pass
    monkeypatch.undo()
    lake = services.lake_for(world["cx"])  # opening it settles the batch: the database does not have it
    assert not lake.pending_path.exists() and lake.manifest()["batches"] == {}
    again = services.ingest_files(world["cx"], [path], meter_rows=[_meter_rows(world)])
    assert again.accepted == 96 and not again.skipped


@pytest.mark.django_db
def test_killed_after_the_database_commit_the_batch_is_rolled_forward(world, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "n.csv", quarter_rows("N-electricity"))

    def killed(self):
        raise Killed

    monkeypatch.setattr(Lake, "commit_pending", killed)
    with pytest.raises(Killed):
        services.ingest_files(world["cx"], [path], meter_rows=[_meter_rows(world)])
    monkeypatch.undo()
    log = IngestLog.objects.get(complex=world["cx"])
    lake = services.lake_for(world["cx"])
    assert list(lake.manifest()["batches"]) == [log.batch] and not lake.pending_path.exists()
    assert sum(f["rows"] for f in lake.manifest()["files"]) == 96
    assert services.ingest_files(world["cx"], [path]).skipped  # the same file again: already there
    lake.vacuum()
    assert all((lake.root / f["path"]).exists() for f in lake.manifest()["files"])
