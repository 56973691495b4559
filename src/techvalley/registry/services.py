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

    Each planned company is a tuple of the IMPORTED_FIELDS values (in that order), so that an
    unchanged company is recognised by one tuple comparison with its stored row.
    """
    wanted: dict[str, tuple] = {}
    counts = {"outside": 0, "merged": 0}
    classified: dict[tuple[str, str], tuple] = {}  # a registry repeats few industries: classify each once
    code_at, other_at = AT["ksic_code"], AT["other_ksic"]
    # A row is in the complex when it names it (KICOX), else by its 시군구 and 법정동.
    complex_key = company_key(cx.name).replace("일반", "")
    want_sigungu, dongs = cx.sigungu, frozenset(cx.legal_dongs or ())
    for row in parsed.rows:
        sigungu, dong = split_address(row.address)
        if row.complex_name:
            inside = company_key(row.complex_name).replace("일반", "") == complex_key
        else:
            inside = not (want_sigungu and sigungu != want_sigungu) and (not dongs or dong in dongs)
        if not inside:
            counts["outside"] += 1
            continue
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
    result = ImportResult(parsed.fmt, parsed.encoding, dry_run, errors=parsed.errors)
    result.counts = {
        "rows": len(parsed.rows) + len(parsed.errors),
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
    if (parsed.errors and not skip_invalid) or not parsed.rows:
        raise ImportRejected(result)

    today = timezone.localdate()
    names = ("id", "registry_key", *IMPORTED_FIELDS)
    with transaction.atomic():
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
                if (
                    row[position["name_key"]] in skipped_names
                    or address_key(row[position["address"]]) in skipped_addresses
                ):
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
            if not dry_run:
                raise RemovalsNotConfirmed(result)
        if dry_run:
            transaction.set_rollback(True)
            return result
        note("write", 0, 1)
        _write_changes(cx, source, path.name, today, to_create, to_update, gone, position)
        from techvalley.registry.selectors import structure

        run = ImportRun.objects.create(
            complex=cx,
            filename=path.name,
            sha256=_sha256(path),
            fmt=parsed.fmt,
            dry_run=False,
            ok=True,
            counts=result.counts,
            errors=[e.as_dict() for e in parsed.errors[:MAX_REPORTED_ERRORS]],
            structure=structure(cx),
            actor_label=audit.current_actor()[1],
        )
        result.run_id = run.pk
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
