"""Use cases of the green module: meters, ingest, reports, benchmarks, measures, trajectory."""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import hashlib
import logging
import os
import statistics
import threading
from collections import OrderedDict
from pathlib import Path

import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from techvalley.core import audit
from techvalley.core.models import Complex
from techvalley.core.validation import YEAR_MAX, YEAR_MIN, BadInput, clean_text, finite, has_control_chars, int_param
from techvalley.green import analytics, factors, xlsx
from techvalley.green.ingest import IngestError, IngestResult, ingest
from techvalley.green.lake import Lake
from techvalley.green.models import IngestLog, Kind, Measure, MeasureKind, Meter, ReductionTarget, Resolution
from techvalley.registry.models import Company, Site
from techvalley.registry.parsers import company_key

# Rooftop PV potential: assumptions, shown next to the figure.
PV = {
    "usable_roof_share": 0.6,
    "kwp_per_m2": 0.15,
    "kwh_per_kwp_year": 1300,
    "source": "project assumptions: 60% of the building footprint usable, 0.15 kWp/m², 1,300 kWh/kWp/year "
    "(typical for southern Korea); replace with a site survey",
    "source_ko": "사업 가정: 건축면적의 60% 설치 가능, 0.15 kWp/m², 연 1,300 kWh/kWp (한국 남부 일반값). "
    "현장 조사로 대체하세요.",
}
MIN_PEERS = 5
logger = logging.getLogger(__name__)


def lake_for(cx: Complex) -> Lake:
    """The complex's lake; a batch a crashed ingest left prepared is settled on opening it: published
    when the database committed its ingest log, else discarded (``lake.py``, two phases)."""
    lake = Lake(
        Path(settings.TECHVALLEY_LAKE_DIR) / cx.slug,
        committed=lambda batch: IngestLog.objects.filter(complex=cx, batch=batch).exists(),
    )
    lake.recover()
    return lake


# Results computed from the lake, remembered until the lake changes: every ingest and compaction
# publishes a new manifest (an atomic rename), so the manifest file's identity is the key. The
# dashboards' energy panels and the complex page then cost one computation per ingest, not one
# per request.
_LAKE_MEMO: OrderedDict = OrderedDict()
_LAKE_MEMO_SIZE = 128
_LAKE_MEMO_LOCK = threading.Lock()


def _lake_state(cx: Complex) -> tuple:
    path = Path(settings.TECHVALLEY_LAKE_DIR) / cx.slug / "_manifest.json"
    try:
        st = path.stat()
    except FileNotFoundError:
        return (str(path), None)
    return (str(path), st.st_ino, st.st_mtime_ns, st.st_size)


def lake_memo(kind: str, cx: Complex, args: tuple, compute, copy_value=copy.deepcopy):
    """``compute()`` once per state of the complex's lake (a copy is returned each time: a deep
    copy, or ``copy_value`` when the caller knows a cheaper one that copies all it may change)."""
    key = (kind, _lake_state(cx), args)
    with _LAKE_MEMO_LOCK:
        found = _LAKE_MEMO.get(key)
        if found is not None:
            _LAKE_MEMO.move_to_end(key)
            return copy_value(found)
    value = compute()
    with _LAKE_MEMO_LOCK:
        _LAKE_MEMO[key] = copy_value(value)
        while len(_LAKE_MEMO) > _LAKE_MEMO_SIZE:
            _LAKE_MEMO.popitem(last=False)
    return value


def readings_provenance(cx: Complex) -> dict:
    """Where the complex's readings come from, for every figure made of them: the last reading's
    day (the lake's watermarks), the meters, and whether they are simulated — loaded by the demo
    (its ingests are logged as the demo's) rather than by a utility export or a company."""
    marks = lake_for(cx).manifest().get("watermarks", {})
    last = max(marks.values(), default=None)
    actors = set(IngestLog.objects.filter(complex=cx).values_list("actor_label", flat=True).distinct())
    simulated = "demo" in actors
    return {
        "as_of": dt.date.fromisoformat(last[:10]) if last else None,
        "meters": len(marks),
        "simulated": simulated,
        "only_simulated": simulated and actors == {"demo"},
    }


def validate_meter_rows(
    cx: Complex, rows: list[dict], *, create_companies: bool = True, source: str = "meters.csv"
) -> None:
    """Check every ``meters.csv`` row before anything is written (IngestError with the line)."""
    name = Path(source).name
    if not rows:
        raise IngestError(f"{name}: 계량기가 없습니다 / no meters in the file")
    missing = {"meter_id", "company", "kind"} - set(rows[0])
    if missing:
        raise IngestError(f"{name}: 열이 없습니다 / missing columns: {', '.join(sorted(missing))}")
    companies = list(Company.objects.filter(complex=cx).values_list("id", "name"))
    known = {company_key(n) for _, n in companies}
    ids = {pk for pk, _ in companies}
    seen: dict[str, int] = {}
    for i, row in enumerate(rows, start=2):
        where = f"{name} {i}행 / line {i}"
        meter_id = (row.get("meter_id") or "").strip()
        if not meter_id or len(meter_id) > 64 or has_control_chars(meter_id):
            raise IngestError(f"{where}: meter_id가 비었거나 64자를 넘습니다 / meter_id empty or over 64 characters")
        if meter_id in seen:
            raise IngestError(f"{where}: meter_id '{meter_id}'가 {seen[meter_id]}행에도 있습니다 / repeated meter_id")
        seen[meter_id] = i
        kind = row.get("kind", "")
        if kind not in Kind.values:
            known_kinds = ", ".join(Kind.values)
            raise IngestError(f"{where}: 알 수 없는 에너지 종류 '{kind}' / unknown kind; one of {known_kinds}")
        resolution = row.get("resolution") or "15min"
        if resolution not in Resolution.values:
            raise IngestError(
                f"{where}: 알 수 없는 주기 '{resolution}' / unknown resolution; one of " + ", ".join(Resolution.values)
            )
        if len(row.get("unit") or "") > 10:
            raise IngestError(f"{where}: 단위가 너무 깁니다 / unit over 10 characters")
        company = (row.get("company") or "").strip()
        if company.startswith("#"):
            if not (company[1:].isascii() and company[1:].isdigit() and int(company[1:]) in ids):
                raise IngestError(f"{where}: 기업 '{company}'를 찾을 수 없습니다 / unknown company id")
        elif not company or (company_key(company) not in known and not create_companies):
            raise IngestError(f"{where}: 회사 '{company}'를 찾을 수 없습니다 / unknown company")
        elif len(company) > 200 or has_control_chars(company):
            raise IngestError(f"{where}: 회사 이름이 올바르지 않습니다 / bad company name")


@transaction.atomic
def register_meters(cx: Complex, rows: list[dict], *, create_companies: bool = True) -> dict:
    """Meters from ``meters.csv`` rows (meter_id, company, kind, unit, resolution), all checked
    first (``validate_meter_rows``): a bad row creates nothing.

    ``company`` is a company name of the complex (spacing and legal form ignored) or ``#id``; companies it
    does not know are created, marked as simulated, when ``create_companies``.
    """
    validate_meter_rows(cx, rows, create_companies=create_companies)
    companies = list(Company.objects.filter(complex=cx).only("id", "name"))
    known = {company_key(c.name): c for c in companies}
    by_id = {c.pk: c for c in companies}
    existing = {m.meter_id: m for m in Meter.objects.filter(complex=cx)}
    created = updated = new_companies = 0
    for i, row in enumerate(rows, start=2):
        kind = row.get("kind", "")
        if kind not in Kind.values:
            raise IngestError(
                f"meters.csv {i}행: 알 수 없는 에너지 종류 '{kind}' / unknown kind; one of " + ", ".join(Kind.values)
            )
        name = (row.get("company") or "").strip()
        # "#123" names a company by its id (names repeat: two factories of one name).
        company = (
            by_id.get(int(name[1:])) if name[1:].isdigit() and name.startswith("#") else known.get(company_key(name))
        )
        if company is None:
            if not create_companies or not name:
                raise IngestError(f"meters.csv {i}행: 회사 '{name}'를 찾을 수 없습니다 / unknown company")
            company = Company.objects.create(
                complex=cx,
                name=name,
                name_key=company_key(name),
                registry_key=f"simulated:{company_key(name)}",
                source="simulated",
                address=f"{cx.name} (simulated)",
                estimated_fields=["all"],
            )
            known[company_key(name)] = company
            new_companies += 1
        values = {
            "company": company,
            "kind": kind,
            "unit": row.get("unit") or factors.kinds()[kind]["unit"],
            "resolution": row.get("resolution") or "15min",
        }
        meter = existing.get(row["meter_id"])
        if meter is None:
            Meter.objects.create(complex=cx, meter_id=row["meter_id"], **values)
            created += 1
        elif any(getattr(meter, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(meter, k, v)
            meter.save()
            updated += 1
    return {"created": created, "updated": updated, "companies_created": new_companies}


def read_meters_csv(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path.name}: UTF-8 CSV가 아닙니다 / not a UTF-8 CSV file") from exc


def meter_map(cx: Complex) -> dict[str, tuple[str, str]]:
    return {m: (k, r) for m, k, r in Meter.objects.filter(complex=cx).values_list("meter_id", "kind", "resolution")}


def meters_table(cx: Complex) -> pa.Table:
    rows = list(Meter.objects.filter(complex=cx).values_list("meter_id", "company_id", "kind"))
    return pa.table(
        {"meter_id": [r[0] for r in rows], "company": [str(r[1]) for r in rows], "kind": [r[2] for r in rows]}
    )


def _log(cx: Complex, source: str, result: IngestResult) -> IngestLog:
    return IngestLog.objects.create(
        complex=cx,
        batch=result.batch,
        source=source[:300],
        result=result.as_dict(),
        actor_label=audit.current_actor()[1],
    )


def _planned_meters(cx: Complex, meter_rows: list[list[dict]], create_companies: bool) -> dict:
    """The meters the ingest may take: those registered and those ``meter_rows`` will register."""
    meters = meter_map(cx)
    for rows in meter_rows:
        validate_meter_rows(cx, rows, create_companies=create_companies)
        for row in rows:
            meters[row["meter_id"]] = (row["kind"], row.get("resolution") or "15min")
    return meters


def _ingest(cx: Complex, source: str, meter_rows, create_companies: bool, **kwargs) -> IngestResult:
    """One ingest and its database writes as one unit: the meters of ``meter_rows`` (lists of
    ``meters.csv`` rows), their companies and the ingest log are committed in one transaction
    while the lake holds the prepared batch, and the batch is published only after that commit
    (``ingest(commit=…)``): a crash at any point leaves no readings without their meters and log,
    and no meters or log without their readings."""
    meter_rows = list(meter_rows or [])

    def commit(result: IngestResult) -> None:
        with transaction.atomic():
            for rows in meter_rows:
                register_meters(cx, rows, create_companies=create_companies)
            _log(cx, source, result)

    result = ingest(lake_for(cx), _planned_meters(cx, meter_rows, create_companies), commit=commit, **kwargs)
    if not result.skipped:
        after_lake_change(cx)
    return result


def ingest_files(
    cx: Complex, paths: list[Path], progress=None, meter_rows: list[list[dict]] | None = None,
    create_companies: bool = True,
) -> IngestResult:  # fmt: skip
    """Ingest readings files; ``meter_rows``: ``meters.csv`` contents registered with the batch."""
    source = ", ".join(Path(p).name for p in paths)
    return _ingest(cx, source, meter_rows, create_companies, paths=paths, progress=progress)


def ingest_records(cx: Complex, records: list[dict]) -> IngestResult:
    return _ingest(cx, f"API batch of {len(records)}", None, True, records=records)


def after_lake_change(cx: Complex) -> None:
    """Work done once per new lake state, outside the timed ingest: the officers' Excel workbook of
    every year in the lake (default factors), so that a download is a file serve. A failure here
    loses nothing (the download builds the file itself); it is logged."""
    try:
        years = sorted({int(f["month"][:4]) for f in lake_for(cx).manifest()["files"]})
        for year in years:
            energy_xlsx(cx, year, None)
    except Exception:  # noqa: BLE001  (the ingest is committed; the export is rebuilt on demand)
        logger.exception("green: the Excel export of %s could not be built after the lake changed", cx.slug)


def _export_key(cx: Complex, year: int, emission_set: str | None) -> str:
    """What the Excel export depends on: the lake's state (its manifest file), the year, the factor
    version and the company names (a renamed company gets a new file)."""
    names = list(Company.objects.filter(complex=cx).order_by("pk").values_list("pk", "name"))
    digest = hashlib.sha256(repr((_lake_state(cx), year, emission_set, names)).encode()).hexdigest()
    return digest[:24]


def energy_xlsx(cx: Complex, year: int, emission_set: str | None, build=None) -> Path:
    """The complex's annual report as an .xlsx file under the lake (``_exports/``), for this state
    of the lake: built once (``build()`` gives the bytes; default: the complex's report), written
    atomically; files of earlier states of the same year are removed."""
    folder = lake_for(cx).root / "_exports"
    prefix = f"energy-{year}-{emission_set or 'default'}-"
    path = folder / f"{prefix}{_export_key(cx, year, emission_set)}.xlsx"
    if path.exists():
        return path
    data = build() if build else xlsx.report_workbook(report(cx, year, emission_set=emission_set))
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{path.name}.{threading.get_ident()}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, path)
    for old in folder.glob(f"{prefix}*.xlsx"):
        if old != path:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
    return path


def open_engine(cx: Complex, year: int, engine: str = "duckdb", master: str | None = None):
    return analytics.engine(engine, lake_for(cx), meters_table(cx), year, master)


def _copy_report(rep: dict) -> dict:
    """A copy of a report its caller may change (``report`` names the companies on every call):
    each dict and list copied, the numbers and texts in them shared (they cannot change) — a few
    milliseconds for 1,400 companies, where ``copy.deepcopy`` takes 50 ms or more."""
    return {
        **rep,
        "factors": copy.deepcopy(rep["factors"]),
        "total": dict(rep["total"]),
        "companies": [
            {**c, "total": dict(c["total"]), "months": [dict(m) for m in c["months"]]} for c in rep["companies"]
        ],
    }


def report(
    cx: Complex,
    year: int,
    *,
    engine: str = "duckdb",
    emission_set: str | None = None,
    company: Company | None = None,
    master: str | None = None,
) -> dict:
    """Monthly energy and tCO2eq per company and in total (the JSON of docs/energy.md)."""

    def compute() -> dict:
        eng = open_engine(cx, year, engine, master)
        try:
            return analytics.annual_report(eng, year, emission_set, [str(company.pk)] if company else None)
        finally:
            eng.close()

    # Spark runs are batch jobs: never served from memory.
    args = (year, engine, emission_set, company.pk if company else None)
    out = lake_memo("report", cx, args, compute, _copy_report) if engine == "duckdb" else compute()
    names = dict(Company.objects.filter(pk__in=[int(c["company"]) for c in out["companies"]]).values_list("id", "name"))
    for c in out["companies"]:
        c["company_id"] = int(c["company"])
        c["company"] = names.get(c["company_id"], c["company"])
    return out


def company_energy(cx: Complex, company: Company, year: int, emission_set: str | None = None) -> dict:
    """Everything the company energy page shows, computed on DuckDB.

    One engine: the monthly figures and the peer benchmark from the monthly rollups, the load,
    profile and unusual days from the company's own electricity intervals, read once (only its
    meters' row groups of the sorted readings files), not six scans of the complex's year."""
    eng = open_engine(cx, year)
    key = [str(company.pk)]
    try:
        monthly = analytics.annual_report(eng, year, emission_set, key)
        electricity = list(
            Meter.objects.filter(complex=cx, company=company, kind="electricity").values_list("meter_id", flat=True)
        )
        rel = eng.company_intervals(electricity, year)
        load = eng.query(analytics.load_sql(year, key, rel))
        profile = eng.query(analytics.profile_sql(year, key, rel))
        anomalies = eng.query(analytics.anomaly_sql(year, companies=key, relation=rel))
        peers = benchmark(eng, cx, company, year, emission_set)  # the same engine: one read of the rollups
    finally:
        eng.close()
    report_row = monthly["companies"][0] if monthly["companies"] else None
    floor = sum(float(x or 0) for x in Site.objects.filter(company=company).values_list("building_area_m2", flat=True))
    intensity = None
    if report_row:
        total = report_row["total"]
        intensity = {
            "kwh_per_employee": total["kwh"] / company.employees if company.employees else None,
            "kwh_per_m2": total["kwh"] / floor if floor else None,
            "tco2eq_per_employee": total["tco2eq"] / company.employees if company.employees else None,
            "estimated": "employees" in company.estimated_fields,
        }
    pv = pv_potential(company)
    return {
        "report": report_row,
        "intensity": intensity,
        "factors": monthly["factors"],
        "load": load[0] if load else None,
        "profile": profile,
        "anomalies": anomalies,
        "benchmark": peers,
        "pv": pv,
        "measures": measured_savings(cx, company, pv=pv),
    }


def _intensities(eng, cx: Complex, year: int, emission_set: str | None, companies: list[int]) -> dict[int, float]:
    """kWh per employee of these companies for the year (those with reported or estimated staff)."""
    kwh: dict[int, float] = {}
    for row in eng.query(analytics.monthly_sql(year, emission_set, [str(pk) for pk in companies])):
        kwh[int(row["company"])] = kwh.get(int(row["company"]), 0.0) + row["kwh"]
    staff = dict(Company.objects.filter(complex=cx, employees__gt=0).values_list("id", "employees"))
    return {pk: total / staff[pk] for pk, total in kwh.items() if pk in staff}


def benchmark(eng, cx: Complex, company: Company, year: int, emission_set: str | None = None) -> dict:
    """The company's energy per employee against peers of the same KSIC division and size class.

    Anonymised: only the company's own percentile and the peers' quartiles, and only with at
    least MIN_PEERS peers — never another company's figure.
    """
    division = (company.ksic_code or "")[:2]
    peers = list(
        Company.objects.filter(
            complex=cx, size_class=company.size_class, ksic_code__startswith=division, in_registry=True
        )
        .exclude(pk=company.pk)
        .values_list("id", flat=True)
    )
    per_employee = _intensities(eng, cx, year, emission_set, [company.pk, *peers])  # the peers' rollups only
    mine = per_employee.get(company.pk)
    values = [per_employee[p] for p in peers if p in per_employee]
    out = {"division": division, "size_class": company.size_class, "peers": len(values), "kwh_per_employee": mine}
    if mine is None or len(values) < MIN_PEERS or not division:
        out["enough_peers"] = False
        return out
    q = statistics.quantiles(values, n=4)
    out.update(
        enough_peers=True,
        percentile=round(100 * sum(v < mine for v in values) / len(values)),
        p25=q[0],
        median=q[1],
        p75=q[2],
    )
    return out


def pv_potential(company: Company) -> dict:
    roof = sum(float(s.building_area_m2 or 0) for s in Site.objects.filter(company=company))
    kwp = roof * PV["usable_roof_share"] * PV["kwp_per_m2"]
    source = PV["source_ko"] if (get_language() or "ko").startswith("ko") else PV["source"]
    return {"roof_m2": roof, "kwp": kwp, "kwh_per_year": kwp * PV["kwh_per_kwp_year"], "source": source}


def measured_savings(cx: Complex, company: Company, window_days: int = 56, pv: dict | None = None) -> list[dict]:
    """Each measure in operation: working-day electricity before vs after it went live.

    The baseline is the mean working-day use in the ``window_days`` before; savings are the
    difference to the same window after, per year of working days. A simple before/after
    model; weather and production changes are not adjusted for — so a measured figure below
    zero always comes with a note saying so, and a rooftop PV plan larger than the roof's
    estimated potential is pointed out.
    """
    out = []
    eng = None
    measures = list(Measure.objects.filter(company=company).order_by("id"))
    live = [m.live_from for m in measures if m.live_from and m.status == Measure.Status.DONE]
    try:
        for m in measures:
            row = {
                "measure": m,
                "expected_kwh_per_year": m.expected_kwh_per_year,
                "measured_kwh_per_year": None,
                "notes": [m.note] if m.note else [],
            }
            if m.live_from and m.status == Measure.Status.DONE:
                before = (m.live_from - dt.timedelta(days=window_days), m.live_from - dt.timedelta(days=1))
                after = (m.live_from, m.live_from + dt.timedelta(days=window_days - 1))
                if eng is None:  # the windows may span years: a calendar over all of them
                    years = (
                        (min(live) - dt.timedelta(days=window_days)).year,
                        (max(live) + dt.timedelta(days=window_days)).year,
                    )
                    eng = analytics.DuckDBEngine(lake_for(cx), meters_table(cx), calendar_years=years)
                source = "daily" if lake_for(cx).has_rollups("daily") else "readings"
                means = [
                    eng.query(analytics.daily_mean_sql(str(company.pk), *span, source=source))[0]["kwh"]
                    for span in (before, after)
                ]
                if all(v is not None for v in means):
                    row["measured_kwh_per_year"] = (means[0] - means[1]) * 245  # working days in a Korean year
                    if row["measured_kwh_per_year"] < 0:
                        row["notes"].append(
                            _(
                                "Use rose after the measure went live: the before/after comparison does not "
                                "adjust for season (cooling, heating) or production, so this is not a loss caused "
                                "by the measure."
                            )
                        )
            if (
                m.kind == MeasureKind.PV
                and pv is not None
                and pv["kwh_per_year"]
                and (m.expected_kwh_per_year > pv["kwh_per_year"] * 1.05)
            ):
                row["notes"].append(
                    _("Planned %(plan)s kWh/year is more than the roof's estimated potential of %(pot)s kWh/year.")
                    % {"plan": f"{m.expected_kwh_per_year:,.0f}", "pot": f"{pv['kwh_per_year']:,.0f}"}
                )
            out.append(row)
    finally:
        if eng is not None:
            eng.close()
    return out


def recent_anomalies(cx: Complex, as_of: dt.date) -> list[dict]:
    """Unusual days of every company in the month of ``as_of`` (from the daily rollups), for the
    officers' panel."""
    if not lake_for(cx).has_rollups("daily"):
        return []

    def compute() -> list[dict]:
        eng = open_engine(cx, as_of.year)
        try:
            return eng.query(analytics.anomaly_sql(as_of.year, source="daily"))
        finally:
            eng.close()

    rows = lake_memo("anomalies", cx, (as_of.year,), compute)
    return [r for r in rows if r["day"].month == as_of.month]


def trajectory(cx: Complex, years: list[int], emission_set: str | None = None) -> dict:
    """Complex-wide tCO2eq per year against the target path, with the gap."""
    target = ReductionTarget.objects.filter(complex=cx).first()
    rows = []
    for y in years:
        total = report(cx, y, emission_set=emission_set)["total"]["tco2eq"]
        goal = target.target_for(y) if target else None
        rows.append({"year": y, "tco2eq": total, "target": goal, "gap": None if goal is None else total - goal})
    return {"target": target, "years": rows}


def complex_overview(cx: Complex, year: int, emission_set: str | None = None) -> dict:
    rep = report(cx, year, emission_set=emission_set)
    return {
        "report": rep,
        "measures": Measure.objects.filter(complex=cx).select_related("company"),
        "meters": Meter.objects.filter(complex=cx).count(),
        "companies_with_data": len(rep["companies"]),
    }


def set_target(
    cx: Complex, base_year: int, base_tco2eq: float, target_year: int, reduction_percent: float, source: str = ""
) -> ReductionTarget:
    target, _ = ReductionTarget.objects.update_or_create(
        complex=cx,
        defaults={
            "base_year": base_year,
            "base_tco2eq": base_tco2eq,
            "target_year": target_year,
            "reduction_percent": reduction_percent,
            "source": source,
        },
    )
    return target


# --- reduction measures ------------------------------------------------------------------

MEASURE_FIELDS = ("kind", "description", "cost_krw", "expected_kwh_per_year", "status", "live_from", "note")


def clean_measure(data: dict, current: Measure | None = None) -> dict:
    """Validated measure fields from a form or an API body (only the fields given, for an update).

    Refuses what the model cannot hold or would mislead: unknown kinds and statuses, negative or
    non-finite figures, a measure "in operation" without the day it went live.
    """
    out: dict = {}
    for name in MEASURE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "kind":
            if value not in MeasureKind.values:
                raise BadInput(f"kind: 알 수 없는 조치 종류입니다. / unknown measure kind '{value}'.", field=name)
        elif name == "status":
            if value not in Measure.Status.values:
                raise BadInput(f"status: 알 수 없는 상태입니다. / unknown status '{value}'.", field=name)
        elif name in ("description", "note"):
            value = clean_text(value, name, max_length=300 if name == "description" else 500).strip()
        elif name == "cost_krw":
            value = int_param(value, name, default=0, lo=0, hi=10**13)
        elif name == "expected_kwh_per_year":
            value = finite(0 if value in (None, "") else value, name)
            if not 0 <= value <= 1e10:
                raise BadInput(f"{name}: 0 이상이어야 합니다. / must be zero or more.", field=name)
        elif name == "live_from" and value not in (None, ""):
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    raise BadInput(f"live_from: 날짜(YYYY-MM-DD)가 아닙니다. / not a date: '{value[:20]}'.") from None
            if not YEAR_MIN <= value.year <= YEAR_MAX:
                raise BadInput(f"live_from: {YEAR_MIN}~{YEAR_MAX}년이어야 합니다. / year out of range.", field=name)
        elif name == "live_from":
            value = None
        out[name] = value
    status = out.get("status", current.status if current else Measure.Status.PLANNED)
    live_from = out["live_from"] if "live_from" in out else (current.live_from if current else None)
    if status == Measure.Status.DONE and live_from is None:
        raise BadInput(
            "live_from: 운영 중인 조치는 운영 시작일이 필요합니다. / a measure in operation needs its start date.",
            field="live_from",
        )
    return out


@transaction.atomic
def create_measure(company: Company, data: dict) -> Measure:
    """A new reduction measure of the company (audited: the acting user is recorded)."""
    fields = clean_measure(data)
    if "kind" not in fields:
        raise BadInput("kind: 조치 종류가 필요합니다. / the kind of measure is required.", field="kind")
    return Measure.objects.create(complex_id=company.complex_id, company=company, **fields)


@transaction.atomic
def update_measure(measure: Measure, data: dict) -> Measure:
    fields = clean_measure(data, measure)
    changed = [k for k, v in fields.items() if getattr(measure, k) != v]
    if changed:
        for k in changed:
            setattr(measure, k, fields[k])
        measure.save()
    return measure


@transaction.atomic
def delete_measure(measure: Measure) -> None:
    measure.delete()
