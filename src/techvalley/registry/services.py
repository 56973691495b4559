"""Use cases that change the registry. The only place that writes companies."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from techvalley.core import audit
from techvalley.core.models import Complex
from techvalley.registry import ksic
from techvalley.registry.models import Company, ImportRun, size_class_of
from techvalley.registry.parsers import (
    ParsedFile,
    RegistryRow,
    RowError,
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
    "other_ksic",
    "tech_intensity",
    "in_registry",
    "missing_since",
    "source",
)
MAX_REPORTED_ERRORS = 1000


class ImportRejected(Exception):
    """The file had bad rows and the import was all-or-nothing: nothing was written."""

    def __init__(self, result: ImportResult):
        super().__init__(f"{result.counts['invalid']} invalid rows; nothing imported")
        self.result = result


@dataclass
class ImportResult:
    fmt: str
    encoding: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    run_id: int | None = None

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


def _in_complex(row: RegistryRow, cx: Complex, sigungu: str, dong: str) -> bool:
    if row.complex_name:
        return company_key(row.complex_name).replace("일반", "") == company_key(cx.name).replace("일반", "")
    if cx.sigungu and sigungu != cx.sigungu:
        return False
    return not cx.legal_dongs or dong in cx.legal_dongs


def plan_rows(parsed: ParsedFile, cx: Complex, source: str) -> tuple[dict[str, dict], dict[str, int]]:
    """Wanted state by business key, rows of other areas left out, repeated registrations merged."""
    wanted: dict[str, dict] = {}
    counts = {"outside": 0, "merged": 0}
    for row in parsed.rows:
        sigungu, dong = split_address(row.address)
        if not _in_complex(row, cx, sigungu, dong):
            counts["outside"] += 1
            continue
        key = business_key(row)[:300]
        fields = _classify(row)
        if key in wanted:  # the same company registered twice at one address: one company
            counts["merged"] += 1
            first = wanted[key]
            if fields["ksic_code"] and fields["ksic_code"] != first["ksic_code"]:
                extra = {"code": fields["ksic_code"], "revision": fields["ksic_revision"]}
                if extra not in first["other_ksic"]:
                    first["other_ksic"].append(extra)
            continue
        wanted[key] = {
            "name": row.name[:200],
            "name_key": company_key(row.name)[:200],
            "address": row.address[:300],
            "legal_dong": dong,
            "other_ksic": [],
            "in_registry": True,
            "missing_since": None,
            "source": source,
            "_row": row,
            **fields,
        }
    return wanted, counts


def import_registry(
    path: str | Path,
    cx: Complex,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    snapshot: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportResult:
    """Import a registry file into a complex: validated whole, all-or-nothing, idempotent.

    ``snapshot``: the file lists every registered factory of its area, so companies of the same
    source missing from it are marked as gone from the registry (not deleted).
    Raises ImportRejected (nothing written) when rows are invalid and ``skip_invalid`` is off.
    """
    path = Path(path)
    note = progress or (lambda *_: None)
    note("read", 0, 1)
    parsed = read_registry(path)
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
        "returned": 0,
        "review": sum(1 for w in wanted.values() if w["ksic_status"] == "review"),
        **counts,
    }
    if parsed.errors and not skip_invalid:
        raise ImportRejected(result)

    today = timezone.localdate()
    with transaction.atomic():
        Complex.objects.select_for_update().filter(pk=cx.pk).first()  # one import per complex at a time
        existing = {
            c.registry_key: c for c in Company.objects.filter(complex=cx).only("id", "registry_key", *IMPORTED_FIELDS)
        }
        to_create, to_update, entries = [], [], []
        total = len(wanted)
        for i, (key, fields) in enumerate(wanted.items(), start=1):
            if i % 5000 == 0:
                note("compare", i, total)
            fields = {k: v for k, v in fields.items() if k != "_row"}
            company = existing.get(key)
            if company is None:
                company = Company(complex=cx, registry_key=key, **fields)
                to_create.append(company)
                continue
            changes = {
                f: [audit.jsonable(getattr(company, f)), audit.jsonable(v)]
                for f, v in fields.items()
                if getattr(company, f) != v
            }
            if not changes:
                result.counts["unchanged"] += 1
                continue
            if "in_registry" in changes:
                result.counts["returned"] += 1
            for f, v in fields.items():
                setattr(company, f, v)
            to_update.append(company)
            entries.append(audit.entry(company, "update", changes, f"registry import {path.name}"))
        gone = []
        if snapshot:
            for key, company in existing.items():
                if key not in wanted and company.in_registry and company.source == source:
                    company.in_registry, company.missing_since = False, today
                    gone.append(company)
                    entries.append(
                        audit.entry(
                            company,
                            "update",
                            {"in_registry": [True, False], "missing_since": [None, str(today)]},
                            f"not in registry import {path.name}",
                        )
                    )
        result.counts.update(
            created=len(to_create),
            updated=len(to_update),
            missing=len(gone),
            imported=len(to_create) + len(to_update) + len(gone),
        )
        if dry_run:
            transaction.set_rollback(True)
            return result
        note("write", 0, max(1, len(to_create)))
        Company.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            Company.objects.bulk_update(to_update, IMPORTED_FIELDS, batch_size=2000)
        if gone:
            Company.objects.bulk_update(gone, ["in_registry", "missing_since"], batch_size=2000)
        if not to_create or to_create[0].pk is None:  # backends without RETURNING on bulk insert
            ids = dict(
                Company.objects.filter(complex=cx, registry_key__in=[c.registry_key for c in to_create]).values_list(
                    "registry_key", "id"
                )
            )
            for c in to_create:
                c.pk = ids[c.registry_key]
        entries += [
            audit.entry(c, "create", {"source": [None, source], "name": [None, c.name]}, f"registry import {path.name}")
            for c in to_create
        ]
        audit.record_bulk(entries)
        from techvalley.registry.selectors import structure

        run = ImportRun.objects.create(
            complex=cx,
            filename=path.name,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
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
