"""``techvalley backup`` and ``techvalley restore`` on a populated installation.

The demo scenario (a week of readings) is loaded into a fresh data directory in its own
process, an uploaded file and a mail file are added, then it is backed up and restored into an
empty data directory; record counts per model (read with the ORM, not with the backup's own
counting) and the energy report must be the same on both sides.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from techvalley.ops.backup import MANIFEST, BackupError, Targets, restore_backup, verify_backup

# The installations these tests make are SQLite ones whatever the suite runs on: in the PostgreSQL
# pass of `make test` they would only repeat the SQLite pass (test_backup_postgres.py runs there).
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="SQLite backups: tested in the SQLite pass",
)

COUNTS_SCRIPT = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.apps import apps
    print(json.dumps({m._meta.label: m._base_manager.count() for m in apps.get_models()
                      if not m._meta.proxy and m._meta.managed}))
    """
)


def environment(data_dir: Path, database_url: str = "") -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "PYTEST_VERSION", "DJANGO_ALLOW_ASYNC_UNSAFE") and not k.startswith("TECHVALLEY_")
    }
    env.update(TECHVALLEY_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="techvalley.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(data_dir: Path, *args: str, database_url: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        env=environment(data_dir, database_url),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )


def techvalley(data_dir: Path, *args: str, database_url: str = "") -> subprocess.CompletedProcess:
    return run(data_dir, "-m", "techvalley", *args, database_url=database_url)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result


def counts(data_dir: Path, database_url: str = "") -> dict[str, int]:
    return json.loads(ok(run(data_dir, "-c", COUNTS_SCRIPT, database_url=database_url)).stdout)


def energy_report(data_dir: Path) -> dict:
    return json.loads(ok(techvalley(data_dir, "green", "report", "--year", "2025", "--json")).stdout)


def tree(root: Path) -> dict[str, str]:
    """Every file under root (hidden ones too) with its SHA-256."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def populated(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("populated")
    ok(techvalley(data, "demo", "--no-serve", "--energy-days", "7"))
    (data / "media" / "projects" / "evidence").mkdir(parents=True)
    (data / "media" / "projects" / "evidence" / "사진 1.pdf").write_bytes(b"%PDF-1.4 evidence " + bytes(range(256)))
    (data / "mail").mkdir(exist_ok=True)
    (data / "mail" / "20251201-1.log").write_text("Subject: 예약 확인\n\n본문", encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def backup_dir(populated, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("backups") / "b1"
    ok(techvalley(populated, "backup", "-o", str(out)))
    return out


@pytest.fixture(scope="module")
def restored(backup_dir, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("restored")
    result = ok(techvalley(target, "restore", str(backup_dir)))
    assert "restored" in result.stderr
    return target


def test_manifest_lists_every_file_with_its_checksum(backup_dir, populated):
    manifest = json.loads((backup_dir / MANIFEST).read_text(encoding="utf-8"))
    files = {f["path"]: f for f in manifest["files"]}
    assert manifest["database"] == {"engine": "sqlite", "file": "database.sqlite3"}
    assert "database.sqlite3" in files and "secret_key" in files
    assert "media/projects/evidence/사진 1.pdf" in files
    assert "mail/20251201-1.log" in files
    lake_files = [p for p in files if p.startswith("lake/")]
    assert any(p.endswith("_manifest.json") for p in lake_files)
    assert any(p.endswith(".parquet") for p in lake_files)
    assert not any("/_staging/" in p or "/_exports/" in p or p.endswith("/.lock") for p in lake_files)
    for path, f in files.items():
        data = (backup_dir / path).read_bytes()
        assert len(data) == f["size"] and hashlib.sha256(data).hexdigest() == f["sha256"], path
    assert manifest["versions"]["techvalley"] and manifest["versions"]["sqlite"]
    assert "0001_initial" in manifest["migrations"]["registry"]
    assert manifest["records"]["registry.Company"] > 1000
    assert oct((backup_dir / "secret_key").stat().st_mode)[-3:] == "600"
    assert oct(backup_dir.stat().st_mode)[-3:] == "700"


def test_restore_gives_the_same_records_and_report(populated, restored):
    before, after = counts(populated), counts(restored)
    assert before["registry.Company"] > 1000 and before["auth.User"] >= 9
    assert after == before
    report = energy_report(populated)
    assert report["total"]["kwh"] > 0
    assert energy_report(restored) == report
    for rel in ("media/projects/evidence/사진 1.pdf", "mail/20251201-1.log", "secret_key"):
        assert (restored / rel).read_bytes() == (populated / rel).read_bytes(), rel
    # The published lake comes back byte for byte; documents derived from it (_exports) are
    # left out of backups and built again on first download.
    def published(root: Path) -> dict[str, str]:
        return {k: v for k, v in tree(root).items() if not k.endswith(".lock") and "/_exports/" not in k}

    lake = published(populated / "lake")
    assert published(restored / "lake") == lake
    assert any("/_exports/" in k for k in tree(populated / "lake")), "the demo's ingest built the Excel file"
    assert not [p for p in restored.iterdir() if ".restore-" in p.name or ".old-" in p.name]


def test_restored_installation_signs_in(restored):
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.test import Client
        c = Client(HTTP_HOST="localhost")
        assert c.post("/login/", {"username": "officer", "password": "techvalley-demo"}).status_code == 302
        print(c.get("/green/complex/").status_code)
        """
    )
    assert ok(run(restored, "-c", script)).stdout.strip() == "200"


def test_check_only_verifies(backup_dir, tmp_path):
    result = ok(techvalley(tmp_path, "restore", str(backup_dir), "--check"))
    assert "backup intact" in result.stdout
    assert not (tmp_path / "techvalley.sqlite3").exists()


def test_restore_refuses_a_target_with_data_unless_forced(backup_dir, populated, tmp_path):
    target = tmp_path / "t"
    target.mkdir()
    ok(techvalley(target, "restore", str(backup_dir)))
    ok(techvalley(target, "complex", "add", "noksan", "--name", "녹산국가산업단지", "--sigungu", "강서구"))
    result = techvalley(target, "restore", str(backup_dir))
    assert result.returncode == 2, result.stderr
    assert "already holds data" in result.stderr and "--force" in result.stderr
    assert "Traceback" not in result.stderr
    assert counts(target)["core.Complex"] == 2  # untouched
    ok(techvalley(target, "restore", str(backup_dir), "--force"))
    assert counts(target) == counts(populated)


def test_a_damaged_backup_changes_nothing(backup_dir, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(backup_dir, damaged)
    parquet = next(p for p in sorted((damaged / "lake").rglob("*.parquet")))
    raw = bytearray(parquet.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    parquet.write_bytes(bytes(raw))
    target = tmp_path / "target"
    target.mkdir()
    result = techvalley(target, "restore", str(damaged))
    assert result.returncode == 2
    assert "checksum differs" in result.stderr and parquet.name in result.stderr
    assert "Traceback" not in result.stderr
    assert not (target / "techvalley.sqlite3").exists() and not (target / "lake").exists()
    (damaged / "lake" / "extra.bin").write_bytes(b"x")
    parquet.write_bytes(bytes(raw))
    with pytest.raises(BackupError, match="not in the manifest"):
        verify_backup(damaged)


def test_backup_refuses_a_folder_in_use_and_a_folder_that_is_not_a_backup(populated, tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    result = techvalley(populated, "backup", "-o", str(used))
    assert result.returncode == 2 and "not empty" in result.stderr
    assert [p.name for p in used.iterdir()] == ["keep.txt"]
    result = techvalley(tmp_path, "restore", str(used))
    assert result.returncode == 2 and "not a backup" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("step", ["stage", "swap:lake", "swap:media", "swap:database"])
def test_restore_is_all_or_nothing(backup_dir, restored, tmp_path, step):
    """A failure at any step leaves the target exactly as it was (force, onto real data)."""
    target = tmp_path / "data"
    shutil.copytree(restored, target)
    (target / "media" / "mine.txt").write_text("written after the backup")
    before = tree(target)
    targets = Targets(
        data_dir=target,
        database={"ENGINE": "django.db.backends.sqlite3", "NAME": str(target / "techvalley.sqlite3")},
        lake_dir=target / "lake",
        media_dir=target / "media",
        mail_dir=target / "mail",
        secret_key=target / "secret_key",
    )
    with pytest.raises(BackupError, match=f"after {step}"):
        restore_backup(backup_dir, targets, force=True, fail_after=step)
    assert tree(target) == before
    restore_backup(backup_dir, targets, force=True)
    assert not (target / "media" / "mine.txt").exists()
    assert (target / "media" / "projects" / "evidence" / "사진 1.pdf").exists()
    assert not [p for p in target.iterdir() if ".restore-" in p.name or ".old-" in p.name]
