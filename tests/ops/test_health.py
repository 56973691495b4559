"""``/healthz`` (process up) and ``/readyz`` (database, migrations, data directory, lake)."""

import json
import time

import pytest
from django.db import DatabaseError

from techvalley.ops import health


@pytest.fixture
def lake(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.TECHVALLEY_LAKE_DIR = tmp_path / "lake"
    return tmp_path / "lake"


def test_healthz_touches_no_database(client):
    response = client.get("/healthz")  # no django_db mark: any query would raise
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_is_ready_on_a_migrated_installation(client, lake, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "migrations": "ok", "data_dir": "ok", "lake": "empty"}
    assert not list(lake.parent.glob(".readyz-*"))  # the probe file is removed


@pytest.mark.django_db
def test_readyz_reads_a_lake(client, lake):
    part = lake / "cx" / "readings" / "kind=electricity" / "month=2025-01"
    part.mkdir(parents=True)
    (part / "p.parquet").write_bytes(b"PAR1....PAR1")
    (lake / "cx" / "_manifest.json").write_text(
        json.dumps({"files": [{"path": "readings/kind=electricity/month=2025-01/p.parquet"}]})
    )
    assert client.get("/readyz").json()["checks"]["lake"] == "ok"
    (part / "p.parquet").unlink()  # the manifest lists a file that is gone
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["lake"] == "failing"
    (lake / "cx" / "_manifest.json").write_text("{not json")
    assert client.get("/readyz").status_code == 503


@pytest.mark.django_db
def test_readyz_says_not_ready_without_saying_why_in_detail(client, lake, settings, monkeypatch, tmp_path):
    secret_place = tmp_path / "not-a-dir-9f8e7d"
    secret_place.write_text("a file, not a folder")
    settings.DATA_DIR = secret_place
    monkeypatch.setattr(health, "shipped_migrations", lambda: frozenset({("core", "9999_future")}))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["data_dir"] == "failing"
    assert body["checks"]["migrations"] == "1 unapplied"
    text = response.content.decode()
    assert "9f8e7d" not in text and "9999_future" not in text and "Errno" not in text


@pytest.mark.django_db
def test_readyz_without_a_database(client, lake, monkeypatch):
    class Down:
        def cursor(self):
            raise DatabaseError("could not connect to server at 10.0.0.5 with password hunter2")

    monkeypatch.setattr(health, "connection", Down())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "failing",
        "migrations": "skipped",
        "data_dir": "ok",
        "lake": "empty",
    }
    assert "10.0.0.5" not in response.content.decode() and "hunter2" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_is_quick(client, lake):
    client.get("/readyz")
    times = []
    for _ in range(20):
        started = time.perf_counter()
        assert client.get("/readyz").status_code == 200
        times.append(time.perf_counter() - started)
    assert sorted(times)[18] < 0.3
