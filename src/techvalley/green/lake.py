"""The readings lake: Parquet files partitioned by kind and month, published through a manifest.

Layout under the lake root::

    readings/kind=electricity/month=2025-01/part-<batch>-<n>.parquet
                       clustered by meter (an ingest writes them in the input's order — meter by
                       meter for utility exports and the simulator — in row groups of 131,072 rows;
                       settling and compaction sort by meter and time): a company's page reads only
                       the row groups whose meter_id range holds its meters, never the whole complex
    rollups/monthly/part-<batch>.parquet   per meter and month: the sum of the batch's stored readings
    rollups/daily/part-<batch>.parquet     per meter and day: the same, by day
    _exports/          the officers' Excel workbook per state of the lake (``services.energy_xlsx``)

    Lakes written before this layout also carry ``rollups/intervals/bucket=NN/`` (a second copy of
    the electricity readings by meter bucket): nothing reads it; ``green compact`` drops it.
    _manifest.json     the published state: files, rollups, ingested batches, per-meter watermarks
    _pending.json      a prepared next manifest waiting for the database to commit its batch
    _staging/<batch>/  files being written (invisible to readers)
    _rejects/          rows that could not be stored, for review

Readers see only what the manifest lists. A writer writes new files first, then replaces the
manifest atomically (write, fsync, rename), so a crash at any point leaves the published state
as it was; files of an unfinished batch are swept by ``vacuum``. One writer at a time (flock).

An ingest that also writes the database (meters, companies, its ingest log) publishes in two
phases, the database being the coordinator: ``prepare`` moves the files into place and writes the
next manifest to ``_pending.json``; the database transaction commits (with the batch id in its
ingest log); ``commit_pending`` renames the pending manifest into place. A crash before the
database commit leaves the old manifest (the pending one is discarded); a crash between the
commit and the rename is rolled forward by ``recover`` — run when the lake is next opened through
``services.lake_for`` or written — which asks ``committed(batch)`` whether the database has it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

EMPTY = {"version": 0, "files": [], "rollups": [], "batches": {}, "watermarks": {}}


class PendingBatch(RuntimeError):
    """A prepared batch waits for its database commit and this lake cannot ask the database."""


class Lake:
    def __init__(self, root: str | Path, committed=None):
        """``committed(batch_id) -> bool`` tells whether the database committed a prepared batch
        (``services.lake_for`` passes one); a lake without it never prepares in two phases."""
        self.root = Path(root)
        self.committed = committed
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "readings").mkdir(exist_ok=True)

    @property
    def pending_path(self) -> Path:
        return self.root / "_pending.json"

    @property
    def manifest_path(self) -> Path:
        return self.root / "_manifest.json"

    def manifest(self) -> dict:
        try:
            return {**json.loads(json.dumps(EMPTY)), **json.loads(self.manifest_path.read_text(encoding="utf-8"))}
        except FileNotFoundError:
            return json.loads(json.dumps(EMPTY))

    def rollup_files(self, manifest: dict | None = None, kind: str = "monthly") -> list[str]:
        """Rollups written at ingest: ``monthly`` (meter × month) or ``daily`` (meter × day)."""
        return [
            str(self.root / f["path"])
            for f in (manifest or self.manifest())["rollups"]
            if f.get("kind", "monthly") == kind
        ]

    def has_rollups(self, kind: str, manifest: dict | None = None) -> bool:
        """Whether every published batch has rollups of this kind (lakes from before they existed do not)."""
        manifest = manifest or self.manifest()
        if not manifest["files"]:
            return True
        return manifest.get("rollup_kinds", {}).get(kind, False)

    def files(
        self, kinds: list[str] | None = None, months: tuple[str, str] | None = None, manifest: dict | None = None
    ) -> list[str]:
        """Absolute paths of the published files, pruned by kind and month range (inclusive)."""
        out = []
        for f in (manifest or self.manifest())["files"]:
            if kinds and f["kind"] not in kinds:
                continue
            if months and not (months[0] <= f["month"] <= months[1]):
                continue
            out.append(str(self.root / f["path"]))
        return out

    def partitions(self, manifest: dict | None = None) -> dict[tuple[str, str], list[dict]]:
        parts: dict[tuple[str, str], list[dict]] = {}
        for f in (manifest or self.manifest())["files"]:
            parts.setdefault((f["kind"], f["month"]), []).append(f)
        return parts

    def new_batch_dir(self) -> tuple[str, Path]:
        batch = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path = self.root / "_staging" / batch
        path.mkdir(parents=True)
        return batch, path

    @contextlib.contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the lake's write lock (one ingest or compaction at a time); a batch a crashed
        writer left prepared is settled first."""
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._settle_pending()
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def recover(self) -> bool:
        """Settle a batch a crashed writer left prepared (rolled forward when the database
        committed it, else discarded), unless a live writer holds the lock. Cheap when there is
        nothing to settle. Returns whether a pending batch was settled."""
        if not self.pending_path.exists():
            return False
        with open(self.root / ".lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # its writer is alive and will finish it
            try:
                return self._settle_pending()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _settle_pending(self) -> bool:
        try:
            pending = json.loads(self.pending_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return False
        except ValueError:  # torn while being written: it was never committed
            self.pending_path.unlink()
            return True
        if self.committed is None:
            raise PendingBatch(
                f"{self.root}: batch {pending['batch']} waits for its database commit; open the lake through "
                "services.lake_for"
            )
        if self.committed(pending["batch"]):
            self._switch(self.pending_path, pending["gone"])
        else:
            self.pending_path.unlink()
        return True

    def publish(
        self,
        staged: Path,
        added: list[dict],
        removed: list[str] = (),
        batch: dict | None = None,
        watermarks: dict[str, str] | None = None,
        rollups: list[dict] = (),
        removed_rollups: list[str] = (),
        rollup_kinds: dict[str, bool] | None = None,
        prepare_only: bool = False,
    ) -> dict:
        """Move staged files into place, then switch the manifest in one atomic rename.

        ``added`` entries have ``path`` relative to ``staged``; they are moved under the lake
        root keeping that relative path. Call inside ``writer()``. With ``prepare_only`` the new
        manifest goes to ``_pending.json`` instead: ``commit_pending`` or ``discard_pending``
        finish it (still inside the same ``writer()``).
        """
        for f in [*added, *rollups]:
            target = self.root / f["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged / f["path"], target)
        manifest = self.manifest()
        gone = set(removed) | set(removed_rollups)
        manifest["files"] = [f for f in manifest["files"] if f["path"] not in gone] + list(added)
        manifest["rollups"] = [f for f in manifest["rollups"] if f["path"] not in gone] + list(rollups)
        if batch is not None:
            manifest["batches"][batch["id"]] = batch
        if rollup_kinds is not None:
            manifest["rollup_kinds"] = rollup_kinds
        for meter, ts in (watermarks or {}).items():
            if ts > manifest["watermarks"].get(meter, ""):
                manifest["watermarks"][meter] = ts
        manifest["version"] += 1
        shutil.rmtree(staged, ignore_errors=True)
        if prepare_only:
            if batch is None:
                raise ValueError("only a batch is prepared in two phases")
            pending = {"batch": batch["id"], "gone": sorted(gone), "manifest": manifest}
            self._write_durably(self.pending_path, pending)
            return manifest
        tmp = self.root / f"_manifest.{uuid.uuid4().hex}.tmp"
        self._write_durably(tmp, manifest)
        self._switch(tmp, sorted(gone), wrapped=False)
        return manifest

    def commit_pending(self) -> None:
        """The database committed the prepared batch: publish it (inside the same ``writer()``)."""
        self._switch(self.pending_path, json.loads(self.pending_path.read_text(encoding="utf-8"))["gone"])

    def discard_pending(self) -> None:
        """The database did not commit the prepared batch: forget it (its files are unlisted)."""
        with contextlib.suppress(FileNotFoundError):
            self.pending_path.unlink()

    def _write_durably(self, path: Path, content: dict) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(content, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())

    def _switch(self, source: Path, gone: list[str], wrapped: bool = True) -> None:
        """Make ``source`` the manifest (a pending file holds it under "manifest"), then delete the
        files it no longer lists."""
        if wrapped:
            tmp = self.root / f"_manifest.{uuid.uuid4().hex}.tmp"
            self._write_durably(tmp, json.loads(source.read_text(encoding="utf-8"))["manifest"])
            os.replace(tmp, self.manifest_path)
            self._sync_dir()
            source.unlink()
        else:
            os.replace(source, self.manifest_path)
        self._sync_dir()
        for path in gone:
            with contextlib.suppress(FileNotFoundError):
                (self.root / path).unlink()

    def _sync_dir(self) -> None:
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def vacuum(self) -> int:
        """Delete staging leftovers and files the manifest does not list (after a crash; a pending
        batch is settled first)."""
        with self.writer():
            manifest = self.manifest()
            listed = {f["path"] for f in manifest["files"] + manifest["rollups"]}
            removed = 0
            for path in [*(self.root / "readings").rglob("*.parquet"), *(self.root / "rollups").rglob("*.parquet")]:
                if str(path.relative_to(self.root)) not in listed:
                    path.unlink()
                    removed += 1
            batches = set(self.manifest()["batches"])
            for path in (self.root / "_rejects").glob("*.parquet"):
                if path.stem not in batches:
                    path.unlink()
            shutil.rmtree(self.root / "_staging", ignore_errors=True)
            for tmp in self.root.glob("_manifest.*.tmp"):
                tmp.unlink()
            return removed
