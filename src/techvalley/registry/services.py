"""Use cases that change the registry. The only place that writes companies."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from techvalley.core import audit
from techvalley.core.models import Complex
from techvalley.core.validation import check_size, check_zip_container
from techvalley.registry import bulk, ksic
from techvalley.registry.models import Company, ImportRun, size_class_of
from techvalley.registry.parsers import (
    ParsedFile,
    RegistryFileError,
    RegistryRow,
    RowError,
    address_key,
    business_key,
    company_key,
    read_registry,
    split_address,
)

# The fields an import owns; everything else (employees, contacts …) belongs to the company.
IMPORTED_FIELDS = (
    "name",
    "name_key",
    "address",
    "legal_dong",
    "industry_name",
    "extra_industries",
    "ksic_code",
    "ksic_revision",
    "ksic_level",
    "ksic_method",
    "ksic_confidence",
    "ksic_status",
    "tech_intensity",
    "in_registry",
    "missing_since",
    "source",
    "other_ksic",  # last: compared apart (stored as JSON text on SQLite)
)
MAX_REPORTED_ERRORS = 1000
#: Companies listed in a result as gone (the preview shows them before an officer confirms).
MAX_LISTED_GONE = 2000

# Limits of a registry file; settings override them (TECHVALLEY_REGISTRY_MAX_*).
DEFAULT_MAX_UPLOAD_BYTES = 30_000_000
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200_000_000
DEFAULT_MAX_ROWS = 300_000
DEFAULT_MAX_REMOVAL_SHARE = 0.10
DEFAULT_MAX_REMOVALS = 50


def limit(name: str, default):
    """A registry limit from the settings (``TECHVALLEY_REGISTRY_<NAME>``), else its default."""
    return getattr(settings, f"TECHVALLEY_REGISTRY_{name}", default)


class ImportRejected(Exception):
    """The file had bad rows and the import was all-or-nothing: nothing was written."""

    def __init__(self, result: ImportResult):
        super().__init__(f"{result.counts['invalid']} invalid rows; nothing imported")
        self.result = result


class RemovalsNotConfirmed(Exception):
    """The import would mark more companies as gone than a full registry plausibly loses; it
    was stopped (nothing written) until someone confirms the removals (``allow_removals``)."""

    def __init__(self, result: ImportResult):
        super().__init__(f"{result.counts['missing']} companies would be marked as gone; confirm with --allow-removals")
        self.result = result


@dataclass
class ImportResult:
    fmt: str
    encoding: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    run_id: int | None = None
    #: Companies the import marks (or would mark) as gone: {id, name, address}.
    gone: list[dict] = field(default_factory=list)
    #: True when the removals exceed the limits and were not confirmed.
    needs_confirmation: bool = False

    @property
    def ok(self) -> bool:
        """False when the file's rows were bad and nothing at all was imported."""
        return not self.counts.get("invalid") or self.counts.get("imported", 0) > 0

    def as_dict(self) -> dict:
        return {
            "format": self.fmt,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            **self.counts,
            "errors": [e.as_dict() for e in self.errors[:MAX_REPORTED_ERRORS]],
            "import_id": self.run_id,
            "gone": self.gone[:MAX_LISTED_GONE],
            "needs_confirmation": self.needs_confirmation,
        }


def _classify(row: RegistryRow) -> dict:
    """KSIC fields of a row: the code the file gives if it is a real code, else the name resolved."""
    res = None
    if row.industry_code:
        ind = ksic.lookup(row.industry_code)
        if ind is not None:
            res = ksic.Resolution(
                row.industry_name, ind.code, ind.name, ind.revision, ind.level, "code", "resolved", 1.0, 0
            )
    if res is None:
        res = ksic.resolve(row.industry_name)
    return {
        "industry_name": row.industry_name[:300],
        "extra_industries": res.extra_industries,
        "ksic_code": res.code or "",
        "ksic_revision": res.revision,
        "ksic_level": res.level,
        "ksic_method": res.method,
        "ksic_confidence": res.confidence,
        "ksic_status": res.status,
        "tech_intensity": ksic.intensity_of(res.code),
    }


#: Where each imported field sits in a planned row (the tuples ``plan_rows`` returns).
AT = {f: i for i, f in enumerate(IMPORTED_FIELDS)}
_KSIC_FIELDS = (
    "industry_name",
    "extra_industries",
    "ksic_code",
    "ksic_revision",
    "ksic_level",
    "ksic_method",
    "ksic_confidence",
    "ksic_status",
)


def plan_rows(parsed: ParsedFile, cx: Complex, source: str) -> tuple[dict[str, tuple], dict[str, int]]:
    """Wanted state by business key, rows of other areas left out, repeated registrations merged.

    A row is in the complex when it names it (KICOX), else by its 시군구 and 법정동.
    """
    complex_key = company_key(cx.name).replace("일반", "")
    want_sigungu, dongs = cx.sigungu, frozenset(cx.legal_dongs or ())
    rows, row_dongs = [], []
    for row in parsed.rows:
        sigungu, dong = split_address(row.address)
        if row.complex_name:
            inside = company_key(row.complex_name).replace("일반", "") == complex_key
        else:
            inside = not (want_sigungu and sigungu != want_sigungu) and (not dongs or dong in dongs)
        if inside:
            rows.append(row)
            row_dongs.append(dong)
    wanted, counts = plan_assigned(rows, source, row_dongs)
    counts["outside"] = len(parsed.rows) - len(rows)
    return wanted, counts


def plan_assigned(
    rows: list[RegistryRow], source: str, dongs: list[str] | None = None
) -> tuple[dict[str, tuple], dict[str, int]]:
    """Wanted state by business key of rows that belong to one complex (``dongs``: their 법정동
    when the caller has read them already), repeated registrations merged.

    Each planned company is a tuple of the IMPORTED_FIELDS values (in that order), so that an
    unchanged company is recognised by one tuple comparison with its stored row.
    """
    wanted: dict[str, tuple] = {}
    counts = {"outside": 0, "merged": 0}
    classified: dict[tuple[str, str], tuple] = {}  # a registry repeats few industries: classify each once
    code_at, other_at = AT["ksic_code"], AT["other_ksic"]
    if dongs is None:
        dongs = [split_address(row.address)[1] for row in rows]
    for row, dong in zip(rows, dongs, strict=True):
        name_key = company_key(row.name)
        key = business_key(row, name_key)[:300]
        industry = (row.industry_code, row.industry_name)
        cls = classified.get(industry)
        if cls is None:
            fields = _classify(row)
            cls = classified[industry] = (*(fields[f] for f in _KSIC_FIELDS), fields["tech_intensity"])
        first = wanted.get(key)
        if first is not None:  # the same company registered twice at one address: one company
            counts["merged"] += 1
            code = cls[2]
            if code and code != first[code_at]:
                extra = {"code": code, "revision": cls[3]}
                if extra not in first[other_at]:
                    first[other_at].append(extra)
            continue
        wanted[key] = (
            row.name[:200],
            name_key[:200],
            row.address[:300],
            dong,
            *cls,  # the KSIC fields and the technology level
            True,  # in_registry
            None,  # missing_since
            source,
            [],  # other_ksic
        )
    return wanted, counts


def check_registry_file(path: Path) -> None:
    """Refuse a file too large to be a registry, or an Excel file that inflates too far
    (read from the zip directory: nothing is inflated)."""
    if not path.is_file():
        raise RegistryFileError(f"파일이 없습니다. / No such file: {path}")
    check_size(path.stat().st_size, limit("MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES), path.name)
    with open(path, "rb") as f:
        is_zip = f.read(4) == b"PK\x03\x04"
    if is_zip:
        check_zip_container(path, path.name, limit("MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES))


def _skipped_identities(errors: list[RowError]) -> tuple[set[str], set[str]]:
    """Name and address keys of the rows that were skipped: their companies are not gone."""
    names = {company_key(e.name) for e in errors if e.name}
    addresses = {address_key(e.address) for e in errors if e.address}
    return names - {""}, addresses - {""}


def removals_exceed_limits(gone: int, listed: int) -> bool:
    """More companies would be marked gone than a full registry plausibly loses between releases."""
    share = limit("MAX_REMOVAL_SHARE", DEFAULT_MAX_REMOVAL_SHARE)
    most = limit("MAX_REMOVALS", DEFAULT_MAX_REMOVALS)
    return gone > most or (listed > 0 and gone / listed > share)


# Company columns an import writes for a new company; the others take their defaults.
def _new_company_columns() -> list[str]:
    return [f.attname for f in Company._meta.concrete_fields if not f.primary_key]


def import_registry(
    path: str | Path,
    cx: Complex,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    snapshot: bool = True,
    allow_removals: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import a registry file into a complex: validated whole, all-or-nothing, idempotent.

    ``snapshot``: the file lists every registered factory of its area, so companies of the same
    source missing from it are marked as gone from the registry (not deleted) — except those of
    rows that were skipped as invalid. When more would be marked gone than the limits allow
    (``TECHVALLEY_REGISTRY_MAX_REMOVAL_SHARE`` of the listed companies, or
    ``TECHVALLEY_REGISTRY_MAX_REMOVALS``), the import stops unless ``allow_removals``.

    Raises ImportRejected (nothing written) when rows are invalid and ``skip_invalid`` is off,
    or when no row is valid; RemovalsNotConfirmed (nothing written) as said above; BadInput
    for a file over the size limits; RegistryFileError for a file that is no registry.
    """
    with bulk.no_gc():  # 100,000 rows allocate millions of objects, none of them in cycles
        return _import_registry(path, cx, dry_run, skip_invalid, snapshot, allow_removals, progress)


def _import_registry(path, cx, dry_run, skip_invalid, snapshot, allow_removals, progress) -> ImportResult:
    path = Path(path)
    note = progress or (lambda *_: None)
    note("read", 0, 1)
    check_registry_file(path)
    parsed = read_registry(path, max_rows=limit("MAX_ROWS", DEFAULT_MAX_ROWS))
    source = parsed.fmt.split("-")[0]
    wanted, counts = plan_rows(parsed, cx, source)
    result = _new_result(parsed, wanted, counts, dry_run, len(parsed.rows) + len(parsed.errors))
    if (parsed.errors and not skip_invalid) or not parsed.rows:
        raise ImportRejected(result)
    with transaction.atomic():
        _apply(result, path, _sha256(path), parsed, cx, wanted, source, snapshot, allow_removals, note)
        if dry_run:
            transaction.set_rollback(True)
    note("done", 1, 1)
    return result


def _new_result(parsed: ParsedFile, wanted: dict, counts: dict, dry_run: bool, rows: int) -> ImportResult:
    result = ImportResult(parsed.fmt, parsed.encoding, dry_run, errors=parsed.errors)
    result.counts = {
        "rows": rows,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "invalid": len(parsed.errors),
        "missing": 0,
        "kept": 0,
        "returned": 0,
        "review": sum(1 for w in wanted.values() if w[AT["ksic_status"]] == "review"),
        **counts,
    }
    return result


def _apply(result, path, sha256, parsed, cx, wanted, source, snapshot, allow_removals, note) -> None:
    """Compare the wanted companies of one complex with the stored ones and write the difference
    (in the caller's transaction; nothing when ``result.dry_run``). Raises RemovalsNotConfirmed."""
    today = timezone.localdate()
    names = ("id", "registry_key", *IMPORTED_FIELDS)
    Complex.objects.select_for_update().filter(pk=cx.pk).first()  # one import per complex at a time
    existing = {row[1]: row for row in _existing_rows(cx, names)}
    to_create: list[tuple[str, tuple]] = []
    to_update: list[tuple[int, tuple, dict]] = []  # id, planned values, changes
    total = len(wanted)
    position = {f: i for i, f in enumerate(names)}
    for i, (key, planned) in enumerate(wanted.items(), start=1):
        if i % 20000 == 0:
            note("compare", i, total)
        row = existing.get(key)
        if row is None:
            to_create.append((key, planned))
            continue
        if row[2:-1] == planned[:-1] and _same_json(row[-1], planned[-1]):
            result.counts["unchanged"] += 1
            continue
        stored = (*row[2:-1], _json(row[-1]))
        changes = {
            f: [_audit_value(f, old), audit.jsonable(new)]
            for f, old, new in zip(IMPORTED_FIELDS, stored, planned, strict=True)
            if old != new
        }
        if "in_registry" in changes:
            result.counts["returned"] += 1
        to_update.append((row[0], planned, changes))
    gone: list[tuple] = []
    if snapshot:
        skipped_names, skipped_addresses = _skipped_identities(parsed.errors)
        for key in existing.keys() - wanted.keys():
            row = existing[key]
            if not row[position["in_registry"]] or row[position["source"]] != source:
                continue
            if row[position["name_key"]] in skipped_names or address_key(row[position["address"]]) in skipped_addresses:
                result.counts["kept"] += 1  # its row was skipped as invalid: not evidence it left
                continue
            gone.append(row)
        gone.sort(key=lambda r: (r[position["name"]], r[0]))
    listed = (
        sum(1 for r in existing.values() if r[position["in_registry"]] and r[position["source"]] == source)
        if gone
        else 0
    )
    result.gone = [
        {"id": r[0], "name": r[position["name"]], "address": r[position["address"]]} for r in gone[:MAX_LISTED_GONE]
    ]
    result.counts.update(
        created=len(to_create),
        updated=len(to_update),
        missing=len(gone),
        imported=len(to_create) + len(to_update) + len(gone),
    )
    if gone and not allow_removals and removals_exceed_limits(len(gone), listed):
        result.needs_confirmation = True
        if not result.dry_run:
            raise RemovalsNotConfirmed(result)
    if result.dry_run:
        return
    note("write", 0, 1)
    _write_changes(cx, source, path.name, today, to_create, to_update, gone, position)
    from techvalley.registry.selectors import structure

    run = ImportRun.objects.create(
        complex=cx,
        filename=path.name,
        sha256=sha256,
        fmt=parsed.fmt,
        dry_run=False,
        ok=True,
        counts=result.counts,
        errors=[e.as_dict() for e in parsed.errors[:MAX_REPORTED_ERRORS]],
        structure=structure(cx),
        actor_label=audit.current_actor()[1],
    )
    result.run_id = run.pk


# --- one registry file, many complexes ---------------------------------------------------------

#: Rows matching no complex (or several) listed in a result, at most; all are counted.
MAX_LISTED_UNASSIGNED = 500


@dataclass
class CityImportResult:
    """The import of a whole city's (or country's) registry into the complexes its rows belong to."""

    fmt: str
    encoding: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    #: Each complex's own result, by slug.
    by_complex: dict[str, ImportResult] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # slug → complex name
    #: Rows no rule claims, and rows two complexes claim equally: {line, name, address[, complexes]}.
    unmatched: list[dict] = field(default_factory=list)
    ambiguous: list[dict] = field(default_factory=list)
    needs_confirmation: bool = False

    @property
    def ok(self) -> bool:
        return not self.counts.get("invalid") or self.counts.get("imported", 0) > 0

    def as_dict(self) -> dict:
        return {
            "format": self.fmt,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            **self.counts,
            "errors": [e.as_dict() for e in self.errors[:MAX_REPORTED_ERRORS]],
            "unmatched_rows": self.unmatched[:MAX_LISTED_UNASSIGNED],
            "ambiguous_rows": self.ambiguous[:MAX_LISTED_UNASSIGNED],
            "complexes": {
                slug: {"name": self.names.get(slug, slug), **r.as_dict()} for slug, r in self.by_complex.items()
            },
            "needs_confirmation": self.needs_confirmation,
        }


class CityImportStopped(Exception):
    """A city import wrote nothing: bad rows (``rejected``) or too many removals in a complex
    (``confirm``). ``result`` says which."""

    def __init__(self, result: CityImportResult, reason: str):
        super().__init__(reason)
        self.result = result
        self.reason = reason


def import_by_rules(
    path: str | Path,
    *,
    complexes: list[Complex] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    snapshot: bool = True,
    allow_removals: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> CityImportResult:
    """Import a registry that covers many complexes: each row goes to the complex its address
    rules (``rules.RuleSet``) assign; rows of no complex, or claimed equally by two, are counted
    and listed, never imported. Validated whole, all-or-nothing across every complex (one
    transaction), idempotent.

    The complexes imported are those given (all with rules when None) that receive at least one
    row, or whose rules' 시군구 the file covers (their companies now elsewhere are marked gone),
    so a file of another city marks nothing gone. Raises CityImportStopped (nothing written)
    for invalid rows without ``skip_invalid``, no row at all, or removals over the limits in a
    complex without ``allow_removals``; BadInput and RegistryFileError as ``import_registry``.
    """
    from techvalley.registry.rules import AMBIGUOUS, MATCHED, RuleSet

    with bulk.no_gc():
        path = Path(path)
        note = progress or (lambda *_: None)
        note("read", 0, 1)
        check_registry_file(path)
        parsed = read_registry(path, max_rows=limit("MAX_ROWS", DEFAULT_MAX_ROWS))
        source = parsed.fmt.split("-")[0]
        ruleset = RuleSet.from_db(complexes)
        cxs = {c.pk: c for c in Complex.objects.filter(pk__in=ruleset.complex_ids)}
        assigned: dict[int, list[RegistryRow]] = {pk: [] for pk in cxs}
        result = CityImportResult(parsed.fmt, parsed.encoding, dry_run, errors=parsed.errors)
        unmatched = ambiguous = 0
        for row in parsed.rows:
            found = ruleset.assign(row.address, row.complex_name)
            if found.status == MATCHED:
                assigned[found.complex_id].append(row)
                continue
            item = {"line": row.line, "name": row.name, "address": row.address or row.complex_name}
            if found.status == AMBIGUOUS:
                ambiguous += 1
                if len(result.ambiguous) < MAX_LISTED_UNASSIGNED:
                    item["complexes"] = [cxs[c].slug for c in found.claimants if c in cxs]
                    result.ambiguous.append(item)
            else:
                unmatched += 1
                if len(result.unmatched) < MAX_LISTED_UNASSIGNED:
                    result.unmatched.append(item)
        # A complex that got no row but whose area the file covers has lost its companies (to
        # another complex, when the rules changed): it is imported too, so that they are marked
        # gone and no company stays in two complexes. Complexes of other areas are left alone.
        empty = [pk for pk, rows in assigned.items() if not rows and ruleset.covers(pk)]
        with_companies = set(
            Company.objects.filter(complex_id__in=empty, in_registry=True, source=source)
            .values_list("complex_id", flat=True)
            .distinct()
        )
        chosen = sorted(
            (pk for pk, rows in assigned.items() if rows or pk in with_companies), key=lambda pk: cxs[pk].slug
        )
        result.counts = {
            "rows": len(parsed.rows) + len(parsed.errors),
            "invalid": len(parsed.errors),
            "assigned": sum(len(assigned[pk]) for pk in chosen),
            "unmatched": unmatched,
            "ambiguous": ambiguous,
            "complexes": len(chosen),
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "missing": 0,
            "imported": 0,
        }
        planned = {}
        for pk in chosen:
            cx = cxs[pk]
            wanted, counts = plan_assigned(assigned[pk], source)
            planned[pk] = wanted
            result.names[cx.slug] = cx.name
            result.by_complex[cx.slug] = _new_result(parsed, wanted, counts, dry_run, len(assigned[pk]))
        if (parsed.errors and not skip_invalid) or not parsed.rows:
            raise CityImportStopped(result, "rejected")
        if not chosen:
            raise CityImportStopped(result, "nothing_assigned")
        sha256 = _sha256(path)
        with transaction.atomic():
            for n, pk in enumerate(chosen, start=1):
                cx = cxs[pk]
                note(f"{cx.slug} ({n}/{len(chosen)})", n - 1, len(chosen))
                one = result.by_complex[cx.slug]
                try:
                    _apply(one, path, sha256, parsed, cx, planned[pk], source, snapshot, allow_removals, note)
                except RemovalsNotConfirmed:
                    result.needs_confirmation = True  # go on: the report names every such complex
                result.needs_confirmation |= one.needs_confirmation
                for key in ("created", "updated", "unchanged", "missing", "imported"):
                    result.counts[key] += one.counts.get(key, 0)
            if result.needs_confirmation and not dry_run:
                transaction.set_rollback(True)
                raise CityImportStopped(result, "confirm")
            if dry_run:
                transaction.set_rollback(True)
        note("done", 1, 1)
        return result


def _audit_value(field: str, value):
    """A stored value as the audit trail records it (SQLite gives booleans as 0/1)."""
    if field == "in_registry":
        return bool(value)
    return audit.jsonable(value)


def _existing_rows(cx: Complex, names: tuple[str, ...]) -> list[tuple]:
    """The complex's companies as plain tuples of ``names``, as the database driver gives them
    (a re-import compares 100,000 rows: Django's per-value converters would be most of its
    time). JSON may be text (``_json``), booleans 0/1."""
    from django.db import connection

    sql, params = Company.objects.filter(complex=cx).values_list(*names).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return rows


def _json(raw):
    """A JSON value as read by ``_existing_rows``: text on SQLite, decoded by psycopg."""
    return json.loads(raw) if raw.__class__ is str else raw


def _same_json(raw, value) -> bool:
    if raw.__class__ is str:
        return raw == "[]" if not value else json.loads(raw) == value
    return raw == value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_changes(cx, source, filename, today, to_create, to_update, gone, position) -> None:
    """Write the import's companies and its audit entries: one statement per batch (COPY on
    PostgreSQL), never one per row."""
    now = timezone.now()
    # Imported fields first, in the planned tuples' order, then the key, then the defaults
    # (converted once): a new row is three tuple pieces, not a loop over its columns.
    rest = [c for c in _new_company_columns() if c not in IMPORTED_FIELDS and c != "registry_key"]
    columns = [*IMPORTED_FIELDS, "registry_key", *rest]
    defaults = {f.attname: f.get_default() for f in bulk.columns_of(Company, rest)}
    defaults.update(complex_id=cx.pk, created_at=now, updated_at=now)
    tail = tuple(bulk.db_value(f, defaults[f.attname]) for f in bulk.columns_of(Company, rest))
    assert IMPORTED_FIELDS[-2:] == ("source", "other_ksic") and IMPORTED_FIELDS[-3] == "missing_since"
    to_create.sort(key=lambda kp: kp[0])  # in key order: the unique index takes them in sequence

    def new_rows():
        for key, planned in to_create:
            # missing_since is None for every planned company; other_ksic is JSON text.
            yield (*planned[:-1], bulk.json_text(planned[-1]), key, *tail)

    with bulk.large_cache():
        bulk.insert_rows(Company, columns, new_rows())
    if to_update:
        upd = bulk.columns_of(Company, [*IMPORTED_FIELDS, "updated_at"])
        bulk.update_rows(
            Company,
            [*IMPORTED_FIELDS, "updated_at"],
            (
                (*(bulk.db_value(f, v) for f, v in zip(upd, (*planned, now), strict=True)), pk)
                for pk, planned, _changes in to_update
            ),
        )
    if gone:
        missing_since = bulk.db_value(Company._meta.get_field("missing_since"), today)
        updated_at = bulk.db_value(Company._meta.get_field("updated_at"), now)
        bulk.update_rows(
            Company,
            ["in_registry", "missing_since", "updated_at"],
            ((False, missing_since, updated_at, row[0]) for row in gone),
        )
    ids = {}
    if to_create:
        ids = {key: pk for pk, key in _existing_rows(cx, ("id", "registry_key"))}
    reason = f"registry import {filename}"
    name_at = AT["name"]
    # The create entries' changes, written as JSON text directly (100,000 json.dumps calls
    # are a tenth of a large import); the same document audit.entry would store.
    created = '{"source": [null, ' + bulk.json_string(source) + '], "name": [null, '
    entries = [
        ("create", ids[key], planned[name_at], created + bulk.json_string(planned[name_at]) + "]}", reason)
        for key, planned in to_create
    ]
    entries += [("update", pk, planned[name_at], changes, reason) for pk, planned, changes in to_update]
    entries += [
        (
            "update",
            row[0],
            row[position["name"]],
            {"in_registry": [True, False], "missing_since": [None, str(today)]},
            f"not in registry import {filename}",
        )
        for row in gone
    ]
    with bulk.large_cache():
        _write_audit(cx, entries, now)


def _write_audit(cx, entries: list[tuple], now) -> None:
    """Audit entries of an import ((action, id, name, changes, reason) each), written in bulk
    with the acting user as ``audit.entry`` would record them."""
    from techvalley.core.models import AuditEntry

    user, label = audit.current_actor()
    actor_id = user.pk if getattr(user, "pk", None) else None
    columns = [
        "at",
        "actor_id",
        "actor_label",
        "action",
        "model",
        "object_id",
        "object_repr",
        "changes",
        "complex_id",
        "reason",
    ]
    at = bulk.db_value(AuditEntry._meta.get_field("at"), now)
    model = Company._meta.label
    bulk.insert_rows(
        AuditEntry,
        columns,
        (
            (
                at,
                actor_id,
                label[:150],
                action,
                model,
                str(pk),
                name[:300],
                changes if changes.__class__ is str else bulk.json_text(changes),  # str: JSON already
                cx.pk,
                reason[:300],
            )
            for action, pk, name, changes, reason in entries
        ),
    )


def set_industry(company: Company, code: str, revision: int | None = None, reason: str = "") -> Company:
    """An officer places a company's industry by hand (the review queue)."""
    ind = ksic.lookup(code, revision)
    if ind is None:
        raise ValueError(f"KSIC 코드 {code}를 찾을 수 없습니다. / Unknown KSIC code {code}.")
    company.ksic_code, company.ksic_revision, company.ksic_level = ind.code, ind.revision, ind.level
    company.ksic_method, company.ksic_confidence, company.ksic_status = "manual", 1.0, "resolved"
    company.tech_intensity = ksic.intensity_of(ind.code)
    company._audit_reason = reason
    company.save()
    return company


PROFILE_FIELDS = (
    "brn",
    "corporate_no",
    "representative",
    "employees",
    "founded_on",
    "revenue_million_krw",
    "main_products",
    "status",
    "rd_centre",
    "certifications",
    "smart_factory_level",
)


def update_company_profile(company: Company, **values) -> Company:
    """A company manager (or officer) updates what the company itself knows best."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(company, name, value)
        if name in company.estimated_fields:
            company.estimated_fields = [f for f in company.estimated_fields if f != name]
    company.size_class = size_class_of(company.employees)
    company.full_clean(exclude=["complex", "organisation"])
    company.save()
    return company


# --- address rules (which rows belong to which complex) ----------------------------------------

#: The columns of a rules file (CSV, UTF-8 or CP949): one rule a line.
RULE_COLUMNS = ("complex", "complex_name", "sido", "sigungu", "legal_dong", "address_contains", "note")
MAX_RULES = 20_000  # 1,300 complexes × a dozen 법정동 each, with room


def _rule_values(values: dict, where: str) -> dict:
    """A rule's fields checked and normalised; BadInput names the field (and the line)."""
    from techvalley.core.validation import BadInput, clean_text
    from techvalley.registry.parsers import DONG_TOKEN, SIGUNGU_ENDINGS

    def text(name: str, max_length: int) -> str:
        return " ".join(clean_text(values.get(name) or "", name, max_length=max_length).split())

    out = {
        "sido": text("sido", 20),
        "sigungu": text("sigungu", 50),
        "legal_dong": text("legal_dong", 50),
        "address_contains": text("address_contains", 100),
        "note": text("note", 300),
    }
    if not out["sigungu"] or not out["sigungu"].endswith(SIGUNGU_ENDINGS) or " " in out["sigungu"]:
        raise BadInput(
            f"{where}sigungu: '{out['sigungu']}'은(는) 시군구가 아닙니다 (예: 사하구, 기장군). "
            "/ not a 시군구 (e.g. 사하구).",
            field="sigungu",
        )
    if out["legal_dong"] and not DONG_TOKEN.match(out["legal_dong"]):
        raise BadInput(
            f"{where}legal_dong: '{out['legal_dong']}'은(는) 법정동이 아닙니다 (예: 장림동, 정관읍). "
            "읍·면은 address_contains로 쓰세요. / not a legal dong (e.g. 장림동); write 읍/면 as address_contains.",
            field="legal_dong",
        )
    if out["address_contains"] and len(out["address_contains"]) < 2:
        raise BadInput(
            f"{where}address_contains: 두 글자 이상이어야 합니다. / at least two characters.", field="address_contains"
        )
    if out["sido"]:
        from techvalley.registry.rules import SIDO_SHORT

        if out["sido"] not in SIDO_SHORT and out["sido"] not in SIDO_SHORT.values():
            raise BadInput(
                f"{where}sido: '{out['sido']}'은(는) 시도가 아닙니다 (예: 부산광역시). / not a province or city.",
                field="sido",
            )
    return out


def _check_conflicts(rules) -> None:
    from techvalley.core.validation import BadInput
    from techvalley.registry.rules import conflicts

    found = conflicts(rules)
    if found:
        slugs = dict(Complex.objects.values_list("id", "slug"))
        lines = [
            f"{slugs.get(a.complex_id, a.complex_id)}: {_rule_text(a)} ↔ {slugs.get(b.complex_id, b.complex_id)}: "
            f"{_rule_text(b)}"
            for a, b in found[:20]
        ]
        raise BadInput(
            "두 산업단지의 규칙이 같은 주소를 똑같이 가리킵니다 (한 행이 두 단지에 들어갈 수 없습니다): "
            + "; ".join(lines)
            + " / rules of two complexes claim the same addresses equally.",
            field="rules",
        )


def _rule_text(r) -> str:
    where = " ".join(p for p in (r.sido, r.sigungu, r.legal_dong) if p)
    return f"{where} «{r.address_contains}»" if r.address_contains else where


def _stored_rules():
    from techvalley.registry.models import AddressRule
    from techvalley.registry.rules import Rule

    return [
        Rule(r.complex_id, r.sigungu, r.legal_dong, r.address_contains, r.sido, rule_id=r.pk)
        for r in AddressRule.objects.all()
    ]


def add_rule(cx: Complex, **values):
    """Add an address rule to a complex (validated against every other complex's rules)."""
    from techvalley.core.validation import BadInput
    from techvalley.registry.models import AddressRule
    from techvalley.registry.rules import Rule

    clean = _rule_values(values, "")
    new = Rule(cx.pk, clean["sigungu"], clean["legal_dong"], clean["address_contains"], clean["sido"])
    with transaction.atomic():
        stored = _stored_rules()
        if any(r.scope() == new.scope() for r in stored):
            raise BadInput("같은 규칙이 이미 있습니다. / This rule exists already.", field="rules")
        _check_conflicts([*stored, new])
        return AddressRule.objects.create(complex=cx, **clean)


def remove_rule(rule_id: int) -> None:
    from techvalley.core.validation import BadInput
    from techvalley.registry.models import AddressRule

    rule = AddressRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise BadInput(f"규칙 {rule_id}이(가) 없습니다. / No rule {rule_id}.", field="rule")
    rule.delete()


def read_rules_file(path: Path, *, add_complexes: bool = False) -> list[dict]:
    """The rules of a CSV file (columns ``RULE_COLUMNS``; UTF-8 or CP949), checked whole: every
    bad line is named in one BadInput. ``add_complexes``: a complex the file names (slug and
    ``complex_name``) that does not exist yet is added (in the caller's transaction)."""
    import csv
    import io

    from techvalley.core.validation import BadInput
    from techvalley.registry.parsers import decode

    path = Path(path)
    if not path.is_file():
        raise BadInput(f"파일이 없습니다. / No such file: {path}", field="file")
    check_size(path.stat().st_size, 5_000_000, path.name)
    text, _encoding = decode(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text))
    headers = [(h or "").strip().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    missing = {"complex", "sigungu"} - set(headers)
    if missing:
        raise BadInput(
            f"열이 없습니다: {', '.join(sorted(missing))} (필요한 열: {', '.join(RULE_COLUMNS)}). "
            f"/ missing columns: {', '.join(sorted(missing))}.",
            field="file",
        )
    reader.fieldnames = headers
    slugs = dict(Complex.objects.values_list("slug", "id"))
    rows, problems = [], []
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_RULES:
            raise BadInput(f"규칙이 너무 많습니다 (최대 {MAX_RULES:,}). / Too many rules.", field="file")
        values = {k: (v or "") for k, v in raw.items() if k}
        if not any(v.strip() for v in values.values()):
            continue
        slug = values.get("complex", "").strip()
        name = " ".join((values.get("complex_name") or "").split())
        if slug not in slugs and add_complexes and name:
            from techvalley.core import services as core_services

            try:
                slugs[slug] = core_services.add_complex(
                    slug, name, sigungu=" ".join((values.get("sigungu") or "").split())
                ).pk
            except BadInput as exc:
                problems.append(f"{line}행 {exc.message}")
                continue
        if slug not in slugs:
            problems.append(f"{line}행 complex: '{slug}' 산업단지가 없습니다 / no complex '{slug}'")
            continue
        try:
            rows.append({"complex_id": slugs[slug], **_rule_values(values, f"{line}행 ")})
        except BadInput as exc:
            problems.append(exc.message)
    if problems:
        raise BadInput(
            f"규칙 {len(problems)}줄이 잘못되어 아무것도 바꾸지 않았습니다: "
            + "; ".join(problems[:20])
            + (" …" if len(problems) > 20 else "")
            + " / bad rules; nothing changed.",
            field="file",
        )
    return rows


def replace_rules(rows: list[dict], *, dry_run: bool = False) -> dict[str, int]:
    """Make the stored rules exactly ``rows`` (a rules file): validated whole (no two complexes
    claiming the same addresses), all-or-nothing, idempotent — unchanged rules are kept as they
    are, so the audit trail shows only what changed."""
    from techvalley.core.validation import BadInput
    from techvalley.registry.models import AddressRule
    from techvalley.registry.rules import Rule

    wanted: dict[tuple, dict] = {}
    for r in rows:
        rule = Rule(r["complex_id"], r["sigungu"], r["legal_dong"], r["address_contains"], r["sido"])
        if rule.scope() in wanted and wanted[rule.scope()]["complex_id"] != r["complex_id"]:
            raise BadInput(
                f"같은 규칙이 두 산업단지에 있습니다: {_rule_text(rule)} / one rule in two complexes.", field="file"
            )
        wanted[rule.scope()] = r
    _check_conflicts(
        [
            Rule(r["complex_id"], r["sigungu"], r["legal_dong"], r["address_contains"], r["sido"])
            for r in wanted.values()
        ]
    )
    counts = {"rules": len(wanted), "created": 0, "changed": 0, "removed": 0, "unchanged": 0}
    with transaction.atomic():
        stored = {
            Rule(r.complex_id, r.sigungu, r.legal_dong, r.address_contains, r.sido).scope(): r
            for r in AddressRule.objects.select_for_update().all()
        }
        for scope, rule in stored.items():
            if scope not in wanted:
                rule.delete()
                counts["removed"] += 1
        for scope, r in wanted.items():
            rule = stored.get(scope)
            if rule is None:
                AddressRule.objects.create(**r)
                counts["created"] += 1
            elif (rule.complex_id, rule.note, rule.sido) != (r["complex_id"], r["note"], r["sido"]):
                rule.complex_id, rule.note, rule.sido = r["complex_id"], r["note"], r["sido"]
                rule.save()
                counts["changed"] += 1
            else:
                counts["unchanged"] += 1
        if dry_run:
            transaction.set_rollback(True)
    return counts


def rules_rows() -> list[tuple]:
    """The stored rules as the rows of a rules file (``RULE_COLUMNS``), by complex."""
    from techvalley.registry.models import AddressRule

    return list(
        AddressRule.objects.order_by("complex__slug", "sigungu", "legal_dong", "address_contains").values_list(
            "complex__slug", "complex__name", "sido", "sigungu", "legal_dong", "address_contains", "note"
        )
    )


def load_rules(path: Path, *, dry_run: bool = False, add_complexes: bool = False) -> dict[str, int]:
    """A rules file read, checked and made the stored rules, in one transaction (complexes it
    adds with ``add_complexes`` are rolled back with the rest when anything is wrong)."""
    with transaction.atomic():
        counts = replace_rules(read_rules_file(path, add_complexes=add_complexes))
        if dry_run:
            transaction.set_rollback(True)
    return counts


# --- contact persons (담당자) and their consent ---------------------------------------------------

#: The contact's personal data, for the consent record, the privacy notice and the purge.
CONTACT_DATA_KEY = "registry.contact"
CONTACT_PURPOSE = "기업 지원 연락 (사업 안내·설문·지원 상담) / contacting the company about support"
#: Items collected: the model's field names (the purge redacts them from the audit trail too).
CONTACT_ITEMS = ("name", "position", "phone", "email")
#: Project default: 3 years, then the consent is renewed or the contact erased. No statute
#: fixes a period for a company's contact person; 개인정보 보호법 제21조 asks that data go when
#: the purpose is served, and 3 years spans the complex's usual support programmes.
CONTACT_RETENTION_DAYS = 3 * 365
CONTACT_RETENTION_CHOICES = (365, 2 * 365, 3 * 365)
MAX_CONTACTS_PER_IMPORT = 5000


def _contact_values(data: dict, where: str = "") -> dict:
    """Checked contact fields, or BadInput naming the field (and the line, for a file)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from techvalley.core.validation import BadInput, clean_text

    prefix = f"{where}: " if where else ""
    name = clean_text(data.get("name") or "", "name", max_length=100).strip()
    if not name:
        raise BadInput(f"{prefix}name: 이름을 적으세요. / enter the person's name.", field="name")
    position = clean_text(data.get("position") or "", "position", max_length=100).strip()
    phone = clean_text(data.get("phone") or "", "phone", max_length=40).strip()
    email = clean_text(data.get("email") or "", "email", max_length=254).strip()
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone and (not 8 <= len(digits) <= 12 or any(ch not in "0123456789-+() " for ch in phone)):
        raise BadInput(
            f"{prefix}phone: 전화번호가 올바르지 않습니다 (숫자 8~12자리). / not a phone number.", field="phone"
        )
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise BadInput(
                f"{prefix}email: 이메일 주소가 올바르지 않습니다. / not an e-mail address.", field="email"
            ) from exc
    if not phone and not email:
        raise BadInput(
            f"{prefix}phone: 전화번호나 이메일 중 하나는 적으세요. / give a phone or an e-mail.", field="phone"
        )
    return {"name": name, "position": position, "phone": phone, "email": email}


def _retention(value) -> int:
    from techvalley.core.privacy import MAX_RETENTION_DAYS
    from techvalley.core.validation import int_param

    if value in (None, ""):
        return CONTACT_RETENTION_DAYS
    return int_param(value, "retention_days", lo=1, hi=MAX_RETENTION_DAYS)


def _person_account(company: Company, email: str):
    """The platform account of the contact person: a member of the company's organisation with
    this e-mail address (so the contact appears in their own data export), or None."""
    from django.contrib.auth import get_user_model

    if not email or company.organisation_id is None:
        return None
    return (
        get_user_model()
        .objects.filter(email__iexact=email, memberships__organisation_id=company.organisation_id)
        .order_by("id")
        .first()
    )


def add_contact(actor, company: Company, data: dict, *, note: str = "", retention_days=None):
    """Add a contact person (담당자) with the consent that allows keeping them, in one
    transaction. ``actor`` is the user recording it: the person themself, a member of the
    company, or a district officer on the company's behalf — the officer must say how consent
    was obtained (``note``: "2026-03-02 전화로 구두 동의, 담당 주무관 확인"). Raises
    PermissionDenied / BadInput."""
    from django.core.exceptions import PermissionDenied

    from techvalley.core.scoping import viewer_for
    from techvalley.core.validation import BadInput, clean_text
    from techvalley.registry import permissions
    from techvalley.registry.models import ConsentGivenBy

    viewer = viewer_for(actor)
    if not permissions.can_edit_contacts(viewer, company):
        raise PermissionDenied("회사 관리자와 구청 담당자만 담당자를 등록합니다. / Managers and officers only.")
    values = _contact_values(data)
    note = clean_text(note or "", "note", max_length=300).strip()
    days = _retention(retention_days)
    person = _person_account(company, values["email"])
    if person is not None and getattr(actor, "pk", None) == person.pk:
        given_by = ConsentGivenBy.PERSON
    elif company.organisation_id is not None and company.organisation_id in viewer.org_ids:
        given_by = ConsentGivenBy.COMPANY
    else:
        given_by = ConsentGivenBy.OFFICER
    if given_by == ConsentGivenBy.OFFICER and len(note) < 5:
        raise BadInput(
            "note: 회사를 대신해 등록할 때는 동의를 받은 방법을 적으세요 (언제, 어떻게, 누가). "
            "/ say how the person's consent was obtained (when, how, by whom).",
            field="note",
        )
    return create_contact(company, values, person, given_by, note, days, recorded_by=actor)


def create_contact(company, values, person, given_by, note, days, recorded_by=None):
    """Store a checked contact and its consent in one transaction (callers check permission);
    ``recorded_by`` is the account that records it (none from the command line)."""
    from techvalley.core import privacy
    from techvalley.registry.models import ConsentGivenBy, Contact

    with transaction.atomic():
        contact = Contact.objects.create(
            complex_id=company.complex_id,
            company=company,
            user=person,
            consent_given_by=given_by,
            consent_note=note,
            **values,
        )
        privacy.record_consent(
            purpose_key=CONTACT_DATA_KEY,
            purpose=CONTACT_PURPOSE,
            items=CONTACT_ITEMS,
            retention_days=days,
            complex=company.complex,
            user=person,
            subject=values["name"],
            subject_contact=values["email"] or values["phone"],
            record=contact,
            obtained={
                ConsentGivenBy.PERSON: privacy.Obtained.SELF,
                ConsentGivenBy.COMPANY: privacy.Obtained.COMPANY,
            }.get(given_by, privacy.Obtained.OFFICER),
            recorded_by=recorded_by,
        )
    return contact


def withdraw_contact(actor, contact, now=None) -> None:
    """The person (or their company, or an officer at their request) withdraws consent: the
    contact is erased now — the consent is kept, stripped of the person, as proof — rather than
    at the next purge. A contact recorded before consents were kept is simply erased."""
    from django.core.exceptions import PermissionDenied

    from techvalley.core import privacy
    from techvalley.core.scoping import viewer_for
    from techvalley.registry import permissions

    viewer = viewer_for(actor)
    if not permissions.can_withdraw_contact(viewer, contact):
        raise PermissionDenied("본인, 회사 관리자, 구청 담당자만 철회합니다. / The person, managers and officers only.")
    now = now or timezone.now()
    with transaction.atomic():
        consents = list(privacy.consents_of(contact).filter(erased_at__isnull=True))
        for consent in consents:
            privacy.withdraw_consent(consent, now)
            privacy.erase_now(consent, now)
        if not consents:
            pk = contact.pk
            contact.delete()
            privacy.redact_audit(contact._meta.label, pk, CONTACT_ITEMS)


def erase_consented_contact(consent) -> None:
    """The ``spine.personal_data`` hook: erase the contact a consent names (retention ended or
    consent withdrawn). The company keeps no trace of the person."""
    from techvalley.registry.models import Contact

    if consent.record_type == Contact._meta.label and consent.record_id.isdigit():
        for contact in Contact.objects.filter(pk=int(consent.record_id)):
            contact.delete()


def export_contacts(user) -> list[dict]:
    """The ``spine.personal_data`` export: the contacts that are this person (linked to their
    account, or under their e-mail address at a company they belong to), unmasked."""
    from django.db.models import Q

    from techvalley.core import privacy
    from techvalley.registry.models import Contact

    mine = Q(user=user)
    if user.email:
        mine |= Q(email__iexact=user.email, company__organisation__memberships__user=user)
    contacts = Contact.objects.filter(mine).select_related("company").distinct().order_by("id")
    out = []
    for c in contacts:
        consent = privacy.consents_of(c).order_by("-given_at").first()
        out.append(
            {
                "company": c.company.name,
                "name": c.name,
                "position": c.position,
                "phone": c.phone,
                "email": c.email,
                "consent_recorded_by": c.get_consent_given_by_display() if c.consent_given_by else "",
                "how_consent_was_obtained": c.consent_note,
                "kept_until": consent.expires_at if consent else None,
            }
        )
    return out


def import_contacts(actor, cx: Complex, path: Path, *, note: str = "", retention_days=None, dry_run=False) -> dict:
    """Contacts from a CSV file (UTF-8 or CP949; columns 사업자등록번호 or 회사명, 성명, 직위, 전화,
    이메일 — or brn, company, name, position, phone, email), each with its consent: all rows or
    none. An officer importing must say how consent was obtained (``note``), as on the form.
    Returns counts; raises BadInput naming the first bad line."""
    import csv
    import io

    from django.core.exceptions import PermissionDenied

    from techvalley.core.scoping import viewer_for
    from techvalley.core.validation import BadInput, clean_text
    from techvalley.registry import permissions
    from techvalley.registry.models import ConsentGivenBy

    check_size(Path(path).stat().st_size, 5_000_000, "file")
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadInput("file: UTF-8이나 CP949 CSV가 아닙니다. / not a UTF-8 or CP949 CSV file.", field="file")
    aliases = {
        "사업자등록번호": "brn",
        "회사명": "company",
        "성명": "name",
        "이름": "name",
        "직위": "position",
        "전화": "phone",
        "전화번호": "phone",
        "이메일": "email",
    }
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise BadInput("file: 빈 파일입니다. / the file is empty.", field="file")
    note = clean_text(note or "", "note", max_length=300).strip()
    days = _retention(retention_days)
    viewer = viewer_for(actor) if actor is not None else None
    officer = viewer is None or viewer.is_officer_of(cx.pk)
    if officer and len(note) < 5:
        raise BadInput(
            "note: 동의를 받은 방법을 적으세요 (언제, 어떻게, 누가). / say how the consents were obtained.",
            field="note",
        )
    by_brn = dict(Company.objects.filter(complex=cx).exclude(brn="").values_list("brn", "id"))
    by_name: dict[str, list[int]] = {}
    for pk, name in Company.objects.filter(complex=cx).values_list("id", "name"):
        by_name.setdefault(name, []).append(pk)
    planned = []
    for line, row in enumerate(reader, start=2):
        if len(planned) >= MAX_CONTACTS_PER_IMPORT:
            raise BadInput(f"file: 한 번에 {MAX_CONTACTS_PER_IMPORT}명까지 / at most {MAX_CONTACTS_PER_IMPORT} rows.")
        row = {aliases.get((k or "").strip(), (k or "").strip().lower()): (v or "") for k, v in row.items()}
        brn = "".join(ch for ch in row.get("brn", "") if ch.isdigit())
        names = by_name.get(row.get("company", "").strip(), [])
        company_id = by_brn.get(brn) if brn else (names[0] if len(names) == 1 else None)
        if company_id is None:
            raise BadInput(
                f"{line}행: 이 단지에서 회사를 찾지 못했거나 같은 이름의 회사가 여럿입니다 (사업자등록번호를 쓰세요). "
                f"/ line {line}: no single company of this complex matches.",
                field="company",
            )
        planned.append((company_id, _contact_values(row, f"{line}행 / line {line}")))
    companies = Company.objects.select_related("complex").in_bulk({c for c, _v in planned})
    if viewer is not None:
        for company in companies.values():
            if not permissions.can_edit_contacts(viewer, company):
                raise PermissionDenied(f"{company.name}: 담당자를 등록할 수 없습니다. / not yours to edit.")
    given_by = ConsentGivenBy.OFFICER if officer else ConsentGivenBy.COMPANY
    if not dry_run:
        with transaction.atomic():
            for company_id, values in planned:
                company = companies[company_id]
                person = _person_account(company, values["email"])
                create_contact(company, values, person, given_by, note, days, recorded_by=actor)
    return {"rows": len(planned), "companies": len(companies), "created": 0 if dry_run else len(planned)}


def contacts_without_consent(cx: Complex):
    """Contacts of a complex kept under no consent: recorded before consents were kept (or by
    hand in the admin). Each needs its consent recorded (add it again with the form or the
    import) or to be erased (``erase_contacts_without_consent``)."""
    from techvalley.core.privacy import without_consent
    from techvalley.registry.models import Contact

    contacts = Contact.objects.filter(complex=cx).select_related("company").order_by("company__name", "id")
    return without_consent(contacts, CONTACT_DATA_KEY)


def erase_contacts_without_consent(cx: Complex) -> int:
    """Erase every contact of the complex that no consent keeps (and its values in the audit
    trail). Returns how many."""
    from techvalley.core import privacy

    n = 0
    with transaction.atomic():
        for contact in contacts_without_consent(cx):
            pk = contact.pk
            contact.delete()
            privacy.redact_audit(contact._meta.label, pk, CONTACT_ITEMS)
            n += 1
    return n
