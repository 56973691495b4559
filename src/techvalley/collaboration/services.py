"""Use cases of the cooperation module: import and export the expertise and the catalogue, record
agreements and their follow-ups, joint programmes, needs, and the pipeline from a match to outcomes.

Every write of the module goes through here. Imports validate the whole file first, write in one
transaction, compare by the external id (``ref``) and never delete.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from techvalley.collaboration import eligibility
from techvalley.collaboration.files import (  # noqa: F401 (read_file, the staging: the callers' API)
    MAX_IMPORT_BYTES,
    _reject_constant,
    discard_upload,
    read_expert_items,
    read_file,
    read_json_items,
    stage_upload,
    staged_upload,
)
from techvalley.collaboration.models import (
    Agreement,
    AgreementParty,
    BudgetLine,
    BudgetSource,
    Engagement,
    Expert,
    ExpertConsent,
    ExpertKind,
    FollowUp,
    FollowUpStatus,
    Kpi,
    Need,
    NeedKind,
    NeedStatus,
    NeedUrgency,
    Outcome,
    OutcomeKind,
    Partner,
    PartnerKind,
    Programme,
    ProgrammeStatus,
    Stage,
    SupportProgramme,
)
from techvalley.core import audit
from techvalley.core.models import Complex
from techvalley.core.validation import (
    BadInput,
    check_size,
    clean_text,
    has_control_chars,
    int_param,
    safe_row,
    year_param,
)
from techvalley.registry.models import Company

REF_MAX = 100


def _text(item: Mapping, key: str, where: str, *, required=False, max_length=None) -> str:
    value = item.get(key)
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    try:
        return clean_text(value, f"{where}.{key}", max_length=max_length, required=required).strip()
    except BadInput as exc:
        raise BadInput(exc.message, field=key) from None


def _ref(item: Mapping, where: str) -> str:
    ref = item.get("ref")
    if isinstance(ref, int) and not isinstance(ref, bool):
        ref = str(ref)
    if not isinstance(ref, str) or not ref.strip():
        raise BadInput(f"{where}: ref(외부 식별자)가 필요합니다. / ref is required.", field="ref")
    return _text({"ref": ref}, "ref", where, required=True, max_length=REF_MAX)


def _list_of_text(item: Mapping, key: str, where: str) -> list[str]:
    value = item.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [v for v in value.replace(";", ",").split(",")]
    if not isinstance(value, list) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        raise BadInput(f"{where}.{key}: 문자열 목록이어야 합니다. / must be a list of text.", field=key)
    out = []
    for v in value:
        text = clean_text(str(v), f"{where}.{key}", max_length=200).strip()
        if text and text not in out:
            out.append(text)
    return out


def _bool(item: Mapping, key: str, where: str, default: bool) -> bool:
    value = item.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "y", "예"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "n", "아니오", ""):
        return False
    raise BadInput(f"{where}.{key}: 참/거짓이어야 합니다. / must be true or false.", field=key)


def parse_date(value: Any, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise BadInput(f"{name}: 날짜(YYYY-MM-DD)여야 합니다. / must be a date (YYYY-MM-DD).", field=name)
    text = value.strip().replace(".", "-").replace("/", "-")
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise BadInput(
            f"{name}: '{value[:20]}'은(는) 날짜가 아닙니다 (YYYY-MM-DD). / not a date.", field=name
        ) from None


def _no_duplicate_refs(refs: list[str], what: str) -> None:
    seen: set[str] = set()
    for i, ref in enumerate(refs, 1):
        if ref in seen:
            raise BadInput(f"{what}: ref '{ref}'이(가) 두 번 나옵니다 ({i}번째). / duplicate ref.", field="ref")
        seen.add(ref)


@dataclass
class ImportSummary:
    """What an import did: created, updated and unchanged items by ref."""

    what: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ignored_keys: list[str] = field(default_factory=list)
    #: ref → {field: [before, after]} of the items that change (what a preview shows).
    changes: dict[str, dict] = field(default_factory=dict)
    #: ref → the new item's values (what a preview shows of the items to create).
    new_items: dict[str, dict] = field(default_factory=dict)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "what": self.what,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "total": len(self.created) + len(self.updated) + len(self.unchanged),
            "ignored_keys": self.ignored_keys,
        }


EXPERT_KEYS = {
    "ref",
    "org",
    "unit",
    "fields",
    "text",
    "name",
    "kind",
    "keywords",
    "contact",
    "public_consent",
    "estimated",
}
KIND_ALIASES = {
    "researcher": "researcher",
    "연구자": "researcher",
    "expert": "researcher",
    "person": "researcher",
    "lab": "lab",
    "연구실": "lab",
    "laboratory": "lab",
    "equipment": "equipment",
    "장비": "equipment",
}


def validate_experts(items: list[dict]) -> tuple[list[dict], list[str]]:
    """Every item checked before anything is written (BadInput names the item and field)."""
    rows, ignored = [], set()
    for i, item in enumerate(items, 1):
        where = f"experts[{i}]"
        ref = _ref(item, where)
        where = f"experts[{i}] ({ref})"
        kind = str(item.get("kind") or "researcher").strip().lower()
        if kind not in KIND_ALIASES:
            raise BadInput(
                f"{where}.kind: researcher | lab | equipment 중 하나여야 합니다. / unknown kind.", field="kind"
            )
        fields = _list_of_text(item, "fields", where)
        for k in _list_of_text(item, "keywords", where):
            if k not in fields:
                fields.append(k)
        row = {
            "ref": ref,
            "kind": KIND_ALIASES[kind],
            "org": _text(item, "org", where, max_length=200),
            "unit": _text(item, "unit", where, max_length=200),
            "name": _text(item, "name", where, max_length=200),
            "fields": fields,
            "text": _text(item, "text", where, max_length=20_000),
            "contact": _text(item, "contact", where, max_length=200),
            "estimated": _bool(item, "estimated", where, False),
        }
        if item.get("public_consent") not in (None, ""):  # absent: the consent on record stays
            row["public_consent"] = _bool(item, "public_consent", where, False)
        if not (row["text"] or row["fields"] or row["unit"] or row["name"]):
            raise BadInput(f"{where}: text, fields, unit, name 중 하나는 있어야 합니다. / nothing to match on.")
        rows.append(row)
        ignored.update(k for k in item if k not in EXPERT_KEYS)
    _no_duplicate_refs([r["ref"] for r in rows], "experts")
    return rows, sorted(ignored)


PROGRAMME_KEYS = {
    "ref",
    "title",
    "agency",
    "text",
    "eligibility",
    "deadline",
    "opens_on",
    "period_start",
    "period_end",
    "url",
    "estimated",
    "period",
}


def validate_programmes(items: list[dict]) -> tuple[list[dict], list[str]]:
    rows, ignored = [], set()
    for i, item in enumerate(items, 1):
        where = f"programmes[{i}]"
        ref = _ref(item, where)
        where = f"programmes[{i}] ({ref})"
        try:
            rules = eligibility.clean(item.get("eligibility"))
        except eligibility.EligibilityError as exc:
            raise BadInput(f"{where}: {exc}", field=f"eligibility.{exc.key}" if exc.key else "eligibility") from None
        period = item.get("period") if isinstance(item.get("period"), Mapping) else {}
        opens = parse_date(item.get("opens_on", item.get("period_start", period.get("start"))), f"{where}.opens_on")
        deadline = parse_date(item.get("deadline", item.get("period_end", period.get("end"))), f"{where}.deadline")
        if opens and deadline and deadline < opens:
            raise BadInput(f"{where}: 마감일이 접수 시작보다 앞섭니다. / deadline before opening.", field="deadline")
        title = _text(item, "title", where, max_length=300)
        text = _text(item, "text", where, max_length=50_000)
        if not title and not text:
            raise BadInput(f"{where}: title 또는 text가 필요합니다. / title or text is required.", field="title")
        rows.append(
            {
                "ref": ref,
                "title": title or text[:80],
                "agency": _text(item, "agency", where, max_length=200),
                "text": text,
                "eligibility": rules,
                "opens_on": opens,
                "deadline": deadline,
                "url": _text(item, "url", where, max_length=500),
                "estimated": _bool(item, "estimated", where, False),
            }
        )
        ignored.update(k for k in item if k not in PROGRAMME_KEYS)
    _no_duplicate_refs([r["ref"] for r in rows], "programmes")
    return rows, sorted(ignored)


def _upsert(model, cx: Complex, rows: list[dict], summary: ImportSummary, dry_run: bool = False) -> ImportSummary:
    """Create new refs and change the ones that differ, in bulk, with one audit entry each.
    ``dry_run``: only say what would change (the preview), writing nothing."""
    existing: dict[str, Any] = {}
    refs = [r["ref"] for r in rows]
    for start in range(0, len(refs), 900):  # SQLite's limit on query parameters
        existing.update({o.ref: o for o in model.objects.filter(complex=cx, ref__in=refs[start : start + 900])})
    created, changed, fields = [], [], set()
    for row in rows:
        obj = existing.get(row["ref"])
        if obj is None:
            created.append(model(complex=cx, **row))
            summary.created.append(row["ref"])
            summary.new_items[row["ref"]] = row
            continue
        diff = {k: [audit.jsonable(getattr(obj, k)), audit.jsonable(v)] for k, v in row.items() if getattr(obj, k) != v}
        if not diff:
            summary.unchanged.append(row["ref"])
            continue
        summary.changes[row["ref"]] = diff
        for k in diff:
            setattr(obj, k, row[k])
        obj.updated_at = timezone.now()
        fields.update(diff)
        changed.append((obj, diff))
        summary.updated.append(row["ref"])
    if dry_run:
        summary.dry_run = True
        return summary
    with transaction.atomic():
        model.objects.bulk_create(created, batch_size=1000)
        if changed:
            model.objects.bulk_update([o for o, _ in changed], [*sorted(fields), "updated_at"], batch_size=500)
        entries = [
            audit.entry(
                o, "create", {k: [None, audit.jsonable(v)] for k, v in r.items() if v not in (None, "", [], {})}
            )
            for o, r in zip(created, (summary.new_items[o.ref] for o in created), strict=True)
        ]
        entries += [audit.entry(o, "update", diff) for o, diff in changed]
        audit.record_bulk(entries)
    return summary


def import_experts(
    cx: Complex, data: bytes | str | list, filename: str = "", dry_run: bool = False, source: str = ""
) -> ImportSummary:
    """Experts, labs and equipment from a JSON list, a CSV (UTF-8 or CP949) or an Excel sheet with
    the same keys as columns (see docs/collaboration.md): validated whole, all or nothing,
    idempotent by ``ref``; items absent from the file are kept. A ``public_consent`` the file
    changes is written to the record of consent (``source`` says which file)."""
    items = data if isinstance(data, list) else read_expert_items(data, filename)
    rows, ignored = validate_experts(items)
    with transaction.atomic():
        summary = _upsert(Expert, cx, rows, ImportSummary("experts", ignored_keys=ignored), dry_run=dry_run)
        if not dry_run:
            _consents_from_import(cx, rows, summary, source or filename or "file")
    return summary


def _consents_from_import(cx: Complex, rows: list[dict], summary: ImportSummary, source: str) -> None:
    consent = {
        r["ref"]: r["public_consent"]
        for r in rows
        if "public_consent" in r
        and (
            "public_consent" in summary.changes.get(r["ref"], {})
            or (r["ref"] in summary.new_items and r["public_consent"])
        )
    }
    if not consent:
        return
    user, label = audit.current_actor()
    experts = Expert.objects.filter(complex=cx, ref__in=list(consent)).only("id", "ref")
    ExpertConsent.objects.bulk_create(
        [
            ExpertConsent(
                expert=e,
                given=consent[e.ref],
                on_behalf=True,
                evidence=f"가져오기 파일 / import file: {source}"[:300],
                recorded_by=user if getattr(user, "pk", None) else None,
                recorded_by_label=label[:150],
            )
            for e in experts
        ]
    )


def import_programmes(cx: Complex, data: bytes | str | list) -> ImportSummary:
    """Support programmes of the catalogue from a JSON list, or CSV (``eligibility`` as a JSON cell)."""
    if isinstance(data, list):
        items = data
    elif _looks_like_csv(data):
        items = read_programme_csv(data)
    else:
        items = read_json_items(data, "programmes", ("programmes",))
    rows, ignored = validate_programmes(items)
    return _upsert(SupportProgramme, cx, rows, ImportSummary("programmes", ignored_keys=ignored))


def _looks_like_csv(data) -> bool:
    head = data[:200].decode("utf-8-sig", "replace") if isinstance(data, bytes) else data[:200]
    return head.lstrip().lower().startswith("ref,") or head.lstrip().lower().startswith('"ref"')


CSV_COLUMNS = ["ref", "title", "agency", "opens_on", "deadline", "text", "url", "estimated", "eligibility"]


def read_programme_csv(data: bytes | str) -> list[dict]:
    if isinstance(data, bytes):
        check_size(len(data), MAX_IMPORT_BYTES, "programmes.csv")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            data = data.decode("cp949", errors="strict")
    if has_control_chars(data.replace("\r", "").replace("\t", "")):
        raise BadInput("programmes.csv: 제어 문자가 있습니다. / contains control characters.")
    reader = csv.DictReader(io.StringIO(data))
    if not reader.fieldnames or "ref" not in reader.fieldnames:
        raise BadInput("programmes.csv: 첫 줄에 ref 열이 필요합니다. / the header needs a ref column.")
    items = []
    for line, row in enumerate(reader, 2):
        item = {k: (v.lstrip("'") if isinstance(v, str) else v) for k, v in row.items() if k}
        raw = (item.pop("eligibility", "") or "").strip()
        if raw:
            try:
                item["eligibility"] = json.loads(raw, parse_constant=_reject_constant)
            except ValueError:
                raise BadInput(f"programmes.csv {line}행: eligibility 열이 JSON이 아닙니다. / not JSON.") from None
        items.append({k: v for k, v in item.items() if v not in ("", None)})
    return items


def export_programmes(programmes: Iterable[SupportProgramme], fmt: str = "json") -> str:
    """The catalogue as JSON (the import format) or CSV (formula-safe cells, eligibility as JSON)."""
    rows = [
        {
            "ref": p.ref,
            "title": p.title,
            "agency": p.agency,
            "opens_on": p.opens_on.isoformat() if p.opens_on else None,
            "deadline": p.deadline.isoformat() if p.deadline else None,
            "text": p.text,
            "url": p.url,
            "estimated": p.estimated,
            "eligibility": p.eligibility,
        }
        for p in programmes
    ]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        values = [r[c] for c in CSV_COLUMNS]
        values[-1] = json.dumps(r["eligibility"], ensure_ascii=False)
        values[7] = "true" if r["estimated"] else "false"
        writer.writerow(safe_row("" if v is None else v for v in values))
    return out.getvalue()


def export_experts(experts: Iterable[Expert]) -> str:
    return json.dumps(
        [
            {
                "ref": e.ref,
                "kind": e.kind,
                "name": e.name,
                "org": e.org,
                "unit": e.unit,
                "fields": e.fields,
                "text": e.text,
                "public_consent": e.public_consent,
            }
            for e in experts
        ],
        ensure_ascii=False,
        indent=2,
    )


# --- catalogue and expertise, one at a time ------------------------------------------------


def save_support_programme(cx: Complex, values: Mapping, instance: SupportProgramme | None = None) -> SupportProgramme:
    """Create or change one catalogue entry (an officer's form or the API), validated as an import."""
    item = dict(values)
    if instance is not None:
        item.setdefault("ref", instance.ref)
    (row,), _ = validate_programmes([item])
    clash = SupportProgramme.objects.filter(complex=cx, ref=row["ref"])
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise BadInput(
            f"ref '{row['ref']}'은(는) 이미 있습니다. / ref already used.", field="ref", code="conflict", status=409
        )
    obj = instance or SupportProgramme(complex=cx)
    for k, v in row.items():
        setattr(obj, k, v)
    obj.save()
    return obj


@transaction.atomic
def set_expert_consent(
    expert: Expert, consent: bool, *, by=None, on_behalf: bool = False, evidence: str = ""
) -> ExpertConsent:
    """Switch the public profile on or off and keep the record of consent.

    The expert in person (``on_behalf=False``) needs to say nothing more; the liaison office or an
    officer acting on the expert's behalf must say how the consent was obtained (``evidence``:
    "서면 동의서 2026-11-20"), or the change is refused."""
    evidence = clean_text(evidence or "", "evidence", max_length=300).strip()
    if on_behalf and not evidence:
        raise BadInput(
            "본인 대신 기록할 때는 동의를 받은 방법(서면, 전자우편 등과 날짜)을 적어야 합니다. "
            "/ on the expert's behalf, say how the consent was obtained.",
            field="evidence",
        )
    expert.public_consent = bool(consent)
    expert.save(update_fields=["public_consent", "updated_at"])
    user, label = audit.current_actor()
    by = by if by is not None else (user if getattr(user, "pk", None) else None)
    return ExpertConsent.objects.create(
        expert=expert,
        given=bool(consent),
        on_behalf=on_behalf,
        evidence=evidence,
        recorded_by=by,
        recorded_by_label=(by.get_username() if by is not None else label)[:150],
    )


def link_expert_account(expert: Expert, username: str):
    """The expert's own sign-in, so that they can switch their consent themselves (or none)."""
    from django.contrib.auth import get_user_model

    username = clean_text(username or "", "account", max_length=150).strip()
    user = None
    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise BadInput(f"'{username[:40]}' 계정이 없습니다. / no such user.", field="account")
    expert.account = user
    expert.save(update_fields=["account", "updated_at"])
    return expert


# --- partners, agreements and follow-ups ----------------------------------------------------


def partner(cx: Complex, name: str, kind: str = PartnerKind.OTHER, **extra) -> Partner:
    name = clean_text(name, "partner", max_length=200, required=True).strip()
    if kind not in PartnerKind.values:
        raise BadInput(f"partner.kind: 알 수 없는 종류 '{kind}'. / unknown kind.", field="kind")
    obj, created = Partner.objects.get_or_create(complex=cx, name=name, defaults={"kind": kind, **extra})
    if obj.kind == PartnerKind.COMPANY and obj.company_id is None:
        # A company party is the registry's company of that exact name, when there is one (its
        # transition record then shows the agreement); never a guess between several.
        found = list(Company.objects.filter(complex=cx, name=name).values_list("id", flat=True)[:2])
        if len(found) == 1:
            obj.company_id = found[0]
            obj.save(update_fields=["company"])
    return obj


@transaction.atomic
def record_agreement(
    cx: Complex,
    *,
    title: str,
    signed_on: dt.date,
    parties: list[tuple[str, str] | tuple[str, str, str]],
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    purpose: str = "",
    obligations: str = "",
    outcomes: str = "",
    is_public: bool = True,
    source: str = "",
    estimated: bool = False,
) -> Agreement:
    """An agreement with its parties ((name, kind[, role])): two or more, each named once."""
    title = clean_text(title, "title", max_length=300, required=True).strip()
    if len(parties) < 2:
        raise BadInput("협약 당사자는 둘 이상이어야 합니다. / an agreement needs two or more parties.", field="parties")
    names = [p[0].strip() for p in parties]
    if len(set(names)) != len(names):
        raise BadInput("같은 당사자가 두 번 있습니다. / a party is named twice.", field="parties")
    starts_on = starts_on or signed_on
    if ends_on and ends_on < starts_on:
        raise BadInput("협약 종료일이 시작일보다 앞섭니다. / the term ends before it starts.", field="ends_on")
    for name, text in (("purpose", purpose), ("obligations", obligations), ("outcomes", outcomes)):
        clean_text(text, name, max_length=20_000)
    agreement, created = Agreement.objects.get_or_create(
        complex=cx,
        title=title,
        signed_on=signed_on,
        defaults=dict(
            starts_on=starts_on,
            ends_on=ends_on,
            purpose=purpose,
            obligations=obligations,
            outcomes=outcomes,
            is_public=is_public,
            source=source,
            estimated=estimated,
        ),
    )
    for p in parties:
        name, kind, role = (p + ("",))[:3] if len(p) == 2 else p
        AgreementParty.objects.get_or_create(
            agreement=agreement, partner=partner(cx, name, kind), defaults={"role": role}
        )
    return agreement


def update_agreement(agreement: Agreement, **values) -> Agreement:
    allowed = {"title", "purpose", "obligations", "outcomes", "ends_on", "terminated", "is_public"}
    for key, value in values.items():
        if key not in allowed:
            raise BadInput(f"{key}: 바꿀 수 없는 항목입니다. / cannot be changed.", field=key)
        if isinstance(value, str):
            value = clean_text(value, key, max_length=20_000)
        setattr(agreement, key, value)
    if agreement.ends_on and agreement.starts_on and agreement.ends_on < agreement.starts_on:
        raise BadInput("협약 종료일이 시작일보다 앞섭니다. / the term ends before it starts.", field="ends_on")
    agreement.save()
    return agreement


def add_follow_up(agreement: Agreement, *, action: str, owner: str, due_on: dt.date, note: str = "") -> FollowUp:
    action = clean_text(action, "action", max_length=300, required=True).strip()
    owner = clean_text(owner, "owner", max_length=150, required=True).strip()
    if due_on is None:
        raise BadInput("due_on: 기한이 필요합니다. / a due date is required.", field="due_on")
    return FollowUp.objects.create(
        agreement=agreement, action=action, owner=owner, due_on=due_on, note=clean_text(note, "note", max_length=5000)
    )


def set_follow_up_status(follow_up: FollowUp, status: str, today: dt.date | None = None, note: str | None = None):
    """Move a follow-up to a new status; done gets its date (today unless given)."""
    if status not in FollowUpStatus.values:
        raise BadInput(f"status: 알 수 없는 상태 '{str(status)[:30]}'. / unknown status.", field="status")
    follow_up.status = status
    follow_up.done_on = (today or dt.date.today()) if status == FollowUpStatus.DONE else None
    if note is not None:
        follow_up.note = clean_text(note, "note", max_length=5000)
    follow_up.save()
    return follow_up


# --- joint programmes ---------------------------------------------------------------------


def _amount(value, name: str) -> int:
    try:
        return eligibility.parse_krw(value, name)
    except eligibility.EligibilityError as exc:
        raise BadInput(str(exc), field=name) from None


def _decimal(value, name: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise BadInput(f"{name}: 숫자가 아닙니다. / not a number.", field=name) from None
    if not d.is_finite() or abs(d) >= Decimal("1e12"):
        raise BadInput(f"{name}: 범위를 벗어났습니다. / out of range.", field=name)
    return d


@transaction.atomic
def record_programme(
    cx: Complex,
    *,
    title: str,
    funder: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    status: str = "selected",
    description: str = "",
    participants: Iterable[tuple[str, str]] = (),
    budget: Iterable[tuple[str, int | None, Any]] = (),
    kpis: Iterable[tuple[str, str, Any, Any]] = (),
    agreement: Agreement | None = None,
    source: str = "",
    estimated: bool = False,
) -> Programme:
    """A joint programme with its participants, budget lines (source, year, amount) and KPIs
    (name, unit, target, result)."""
    title = clean_text(title, "title", max_length=300, required=True).strip()
    if starts_on and ends_on and ends_on < starts_on:
        raise BadInput("사업 종료일이 시작일보다 앞섭니다. / ends before it starts.", field="ends_on")
    programme, _created = Programme.objects.update_or_create(
        complex=cx,
        title=title,
        defaults=dict(
            funder=funder,
            starts_on=starts_on,
            ends_on=ends_on,
            status=status,
            description=description,
            agreement=agreement,
            source=source,
            estimated=estimated,
        ),
    )
    for name, kind in participants:
        programme.participants.add(partner(cx, name, kind))
    for source_key, year, amount in budget:
        set_budget_line(programme, source_key, year, amount)
    for name, unit, target, result in kpis:
        set_kpi(programme, name=name, unit=unit, target=target, result=result)
    return programme


def set_budget_line(programme: Programme, source: str, year: int | None, amount) -> BudgetLine:
    """The programme's budget from one source in one year (replaced if it exists): seeding, the demo."""
    if source not in BudgetSource.values:
        raise BadInput(
            "source: 국비/시비/구비/민자 (national/city/district/private) 중 하나. / unknown source.", field="source"
        )
    line, _ = BudgetLine.objects.update_or_create(
        programme=programme, source=source, year=year, defaults={"amount_krw": _amount(amount, "amount_krw")}
    )
    return line


def set_kpi(programme: Programme, *, name: str, unit: str = "", target, result=None) -> Kpi:
    name = clean_text(name, "name", max_length=200, required=True).strip()
    kpi, _ = Kpi.objects.update_or_create(
        programme=programme,
        name=name,
        defaults={
            "unit": clean_text(unit, "unit", max_length=30),
            "target": _decimal(target, "target"),
            "result": None if result in (None, "") else _decimal(result, "result"),
        },
    )
    return kpi


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "예")
    return bool(value)


@transaction.atomic
def save_programme(cx: Complex, values: Mapping, instance: Programme | None = None) -> Programme:
    """Create or change a joint programme from an officer's form: every field checked, the title
    unique in the complex (409), the period in order, the agreement of the same complex."""
    title = clean_text(values.get("title"), "title", max_length=300, required=True).strip()
    if not title:
        raise BadInput("사업명이 필요합니다. / a title is required.", field="title")
    starts_on = parse_date(values.get("starts_on"), "starts_on")
    ends_on = parse_date(values.get("ends_on"), "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise BadInput("사업 종료일이 시작일보다 앞섭니다. / the programme ends before it starts.", field="ends_on")
    status = values.get("status") or ProgrammeStatus.SELECTED
    if status not in ProgrammeStatus.values:
        raise BadInput(f"status: 알 수 없는 상태 '{str(status)[:30]}'. / unknown status.", field="status")
    agreement = values.get("agreement")
    if agreement is not None and not isinstance(agreement, Agreement):
        agreement_id = int_param(agreement, "agreement", lo=1)
        agreement = Agreement.objects.filter(pk=agreement_id).first() if agreement_id else None
        if agreement_id and agreement is None:
            raise BadInput("협약을 찾을 수 없습니다. / no such agreement.", field="agreement")
    if agreement is not None and agreement.complex_id != cx.pk:
        raise BadInput("다른 산업단지의 협약입니다. / the agreement belongs to another complex.", field="agreement")
    clash = Programme.objects.filter(complex=cx, title=title)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise BadInput(
            f"같은 이름의 사업 '{title[:60]}'이(가) 이미 있습니다. / a programme of that title exists.",
            field="title",
            code="conflict",
            status=409,
        )
    obj = instance or Programme(complex=cx)
    obj.title = title
    obj.funder = clean_text(values.get("funder") or "", "funder", max_length=200).strip()
    obj.starts_on, obj.ends_on, obj.status, obj.agreement = starts_on, ends_on, status, agreement
    obj.description = clean_text(values.get("description") or "", "description", max_length=20_000).strip()
    obj.source = clean_text(values.get("source") or "", "source", max_length=300).strip()
    obj.is_public = _flag(values.get("is_public", True))
    obj.estimated = _flag(values.get("estimated", False))
    obj.save()
    return obj


def save_budget_line(programme: Programme, values: Mapping, instance: BudgetLine | None = None) -> BudgetLine:
    """Add or change one budget line (source, year, amount, spent so far) of a programme.

    One line per source and year (409 otherwise); the amount is won, written as digits or in
    Korean units ("3억 5천만"); spent may not exceed the amount."""
    source = values.get("source") or ""
    if source not in BudgetSource.values:
        raise BadInput(
            "재원은 국비/시비/구비/민자 중 하나여야 합니다. / source: national, city, district or private.",
            field="source",
        )
    year = year_param(values.get("year"), "year") if values.get("year") not in (None, "") else None
    amount = values.get("amount_krw")
    if amount in (None, ""):
        raise BadInput("금액이 필요합니다. / an amount is required.", field="amount_krw")
    amount = _amount(amount, "amount_krw")
    executed = values.get("executed_krw")
    executed = None if executed in (None, "") else _amount(executed, "executed_krw")
    if executed is not None and executed > amount:
        raise BadInput(
            f"집행액({executed:,}원)이 예산({amount:,}원)보다 큽니다. / spent more than the budget.",
            field="executed_krw",
        )
    clash = BudgetLine.objects.filter(programme=programme, source=source, year=year)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        label = dict(BudgetSource.choices)[source]
        raise BadInput(
            f"{year or '연도 없음'} {label} 예산이 이미 있습니다: 그 줄을 고치세요. / that source and year has a line.",
            field="source",
            code="conflict",
            status=409,
        )
    line = instance or BudgetLine(programme=programme)
    line.source, line.year, line.amount_krw, line.executed_krw = source, year, amount, executed
    line.save()
    return line


def delete_budget_line(line: BudgetLine) -> None:
    line.delete()


def save_kpi(programme: Programme, values: Mapping, instance: Kpi | None = None) -> Kpi:
    """Add or change a KPI: its name (unique in the programme), unit, target and result so far."""
    name = clean_text(values.get("name"), "name", max_length=200, required=True).strip()
    if not name:
        raise BadInput("지표명이 필요합니다. / a name is required.", field="name")
    if values.get("target") in (None, ""):
        raise BadInput("목표값이 필요합니다. / a target is required.", field="target")
    target = _decimal(values.get("target"), "target")
    result = values.get("result")
    result = None if result in (None, "") else _decimal(result, "result")
    for key, number in (("target", target), ("result", result)):
        if number is not None and (number < 0 or number.as_tuple().exponent < -2):
            raise BadInput(f"{key}: 0 이상, 소수 둘째 자리까지 / zero or more, at most two decimals.", field=key)
    clash = Kpi.objects.filter(programme=programme, name=name)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise BadInput(
            f"지표 '{name[:60]}'이(가) 이미 있습니다. / that indicator exists.",
            field="name",
            code="conflict",
            status=409,
        )
    kpi = instance or Kpi(programme=programme)
    kpi.name, kpi.target, kpi.result = name, target, result
    kpi.unit = clean_text(values.get("unit") or "", "unit", max_length=30).strip()
    kpi.save()
    return kpi


def delete_kpi(kpi: Kpi) -> None:
    kpi.delete()


def _audit_participants(programme: Programme, before: list[str]) -> None:
    after = sorted(programme.participants.values_list("name", flat=True))
    if after != before:
        audit.record_bulk([audit.entry(programme, "update", {"participants": [before, after]})])


@transaction.atomic
def add_participant(programme: Programme, name: str, kind: str = PartnerKind.OTHER) -> Partner:
    """A partner (found by name in the complex, or new) takes part in the programme (audited)."""
    if not isinstance(name, str) or not name.strip():
        raise BadInput("참여기관 이름이 필요합니다. / a partner's name is required.", field="name")
    before = sorted(programme.participants.values_list("name", flat=True))
    found = partner(programme.complex, name, kind or PartnerKind.OTHER)
    programme.participants.add(found)
    _audit_participants(programme, before)
    return found


@transaction.atomic
def remove_participant(programme: Programme, partner_obj: Partner) -> None:
    before = sorted(programme.participants.values_list("name", flat=True))
    programme.participants.remove(partner_obj)
    _audit_participants(programme, before)


def save_partner(partner_obj: Partner, values: Mapping) -> Partner:
    """Change a partner's name, kind or note (the name stays unique in the complex)."""
    name = clean_text(values.get("name"), "name", max_length=200, required=True).strip()
    if not name:
        raise BadInput("이름이 필요합니다. / a name is required.", field="name")
    kind = values.get("kind") or ""
    if kind not in PartnerKind.values:
        raise BadInput(f"kind: 알 수 없는 종류 '{str(kind)[:30]}'. / unknown kind.", field="kind")
    if Partner.objects.filter(complex_id=partner_obj.complex_id, name=name).exclude(pk=partner_obj.pk).exists():
        raise BadInput(
            f"'{name[:60]}'은(는) 이미 있는 협력기관입니다. / that partner exists.",
            field="name",
            code="conflict",
            status=409,
        )
    partner_obj.name, partner_obj.kind = name, kind
    partner_obj.note = clean_text(values.get("note") or "", "note", max_length=5000).strip()
    if "company" in values:
        company_name = clean_text(values.get("company") or "", "company", max_length=200).strip()
        partner_obj.company = None
        if company_name:
            found = list(Company.objects.filter(complex_id=partner_obj.complex_id, name=company_name)[:2])
            if len(found) != 1:
                how = "없습니다" if not found else "여럿 있습니다"
                raise BadInput(
                    f"기업 등록부에 '{company_name[:60]}'(이)라는 기업이 {how}. "
                    "/ no single registry company of that name.",
                    field="company",
                )
            partner_obj.company = found[0]
    partner_obj.save()
    return partner_obj


def budget_by_source(programme: Programme) -> dict[str, int]:
    totals = {s: 0 for s in BudgetSource.values}
    for line in programme.budget.all():
        totals[line.source] += line.amount_krw
    return totals


# --- needs and the pipeline -----------------------------------------------------------------


def _need_structured(values: Mapping) -> dict:
    """The structured fields of a need: urgency, the budget the company can put in, wanted by."""
    out = {}
    if "urgency" in values:
        urgency = values["urgency"] or NeedUrgency.NORMAL
        if urgency not in NeedUrgency.values:
            raise BadInput(f"urgency: 알 수 없는 긴급도 '{str(urgency)[:30]}'. / unknown urgency.", field="urgency")
        out["urgency"] = urgency
    if "budget_krw" in values:
        budget = values["budget_krw"]
        out["budget_krw"] = None if budget in (None, "") else _amount(budget, "budget_krw")
    if "needed_by" in values:
        out["needed_by"] = parse_date(values["needed_by"], "needed_by")
    return out


def record_need(company: Company, *, kind: str, title: str, text: str, by_officer: bool = False, **structured) -> Need:
    """A company's need in its own words, with optional ``urgency``, ``budget_krw``, ``needed_by``."""
    if kind not in NeedKind.values:
        raise BadInput(f"kind: 알 수 없는 종류 '{str(kind)[:30]}'. / unknown kind.", field="kind")
    unknown = set(structured) - {"urgency", "budget_krw", "needed_by"}
    if unknown:
        raise BadInput(f"{sorted(unknown)[0]}: 알 수 없는 항목. / unknown field.", field=sorted(unknown)[0])
    return Need.objects.create(
        complex_id=company.complex_id,
        company=company,
        kind=kind,
        title=clean_text(title, "title", max_length=200, required=True).strip(),
        text=clean_text(text, "text", max_length=10_000, required=True).strip(),
        entered_by_officer=by_officer,
        **_need_structured(structured),
    )


def update_need(need: Need, **values) -> Need:
    for key in ("title", "text"):
        if key in values:
            setattr(need, key, clean_text(values[key], key, max_length=10_000, required=True).strip())
    if "kind" in values:
        if values["kind"] not in NeedKind.values:
            raise BadInput("kind: 알 수 없는 종류. / unknown kind.", field="kind")
        need.kind = values["kind"]
    if "status" in values:
        if values["status"] not in NeedStatus.values:
            raise BadInput("status: 알 수 없는 상태. / unknown status.", field="status")
        need.status = values["status"]
    for key, value in _need_structured(values).items():
        setattr(need, key, value)
    need.save()
    return need


def start_engagement(
    company: Company,
    *,
    need: Need | None = None,
    expert: Expert | None = None,
    support: SupportProgramme | None = None,
    on: dt.date | None = None,
    note: str = "",
) -> Engagement:
    """Record a match taken up: the company (and its need) with an expert or a programme."""
    if expert is None and support is None:
        raise BadInput("전문가 또는 지원사업을 골라야 합니다. / choose an expert or a programme.", field="expert")
    for other in (need, expert, support):
        if other is not None and other.complex_id != company.complex_id:
            raise BadInput("다른 산업단지의 기록입니다. / belongs to another complex.", status=404, code="not_found")
    if need is not None and need.company_id != company.pk:
        raise BadInput("다른 기업의 수요입니다. / the need belongs to another company.", field="need")
    engagement = Engagement.objects.create(
        complex_id=company.complex_id,
        company=company,
        need=need,
        expert=expert,
        support=support,
        matched_on=on or dt.date.today(),
        note=clean_text(note, "note", max_length=5000),
    )
    if need is not None and need.status == NeedStatus.OPEN:
        need.status = NeedStatus.IN_PROGRESS
        need.save(update_fields=["status", "updated_at"])
    return engagement


STAGE_DATE = {
    Stage.CONTACTED: "contacted_on",
    Stage.JOINT_PROJECT: "project_on",
    Stage.OUTCOME: "outcome_on",
    Stage.CLOSED: "closed_on",
}


def advance_engagement(engagement: Engagement, stage: str, on: dt.date | None = None) -> Engagement:
    """Move the engagement to a later stage (or close it), dating the step; no going back."""
    if stage not in Stage.values or stage == Stage.MATCHED:
        raise BadInput(f"stage: 알 수 없는 단계 '{str(stage)[:30]}'. / unknown stage.", field="stage")
    order = [Stage.MATCHED, Stage.CONTACTED, Stage.JOINT_PROJECT, Stage.OUTCOME]
    if engagement.stage == Stage.CLOSED:
        raise BadInput("종료된 연계입니다. / the engagement is closed.", field="stage", code="conflict", status=409)
    if stage != Stage.CLOSED and order.index(stage) <= order.index(engagement.stage):
        raise BadInput(
            "이미 지난 단계입니다. / that stage is already passed.", field="stage", code="conflict", status=409
        )
    on = on or dt.date.today()
    if on < engagement.matched_on:
        raise BadInput("매칭일보다 앞선 날짜입니다. / before the match.", field="on")
    setattr(engagement, STAGE_DATE[stage], on)
    engagement.stage = stage
    engagement.save()
    return engagement


def add_outcome(engagement: Engagement, *, kind: str, on: dt.date, value=1, description: str = "") -> Outcome:
    if kind not in OutcomeKind.values:
        raise BadInput(f"kind: 알 수 없는 성과 '{str(kind)[:30]}'. / unknown outcome.", field="kind")
    outcome = Outcome.objects.create(
        engagement=engagement,
        kind=kind,
        on=on,
        value=_decimal(value, "value"),
        description=clean_text(description, "description", max_length=300),
    )
    if engagement.stage != Stage.OUTCOME and engagement.stage != Stage.CLOSED:
        advance_engagement(engagement, Stage.OUTCOME, max(on, engagement.matched_on))
    return outcome


# Expert kinds for display in reasons.
EXPERT_KIND_KO = {ExpertKind.RESEARCHER: "연구자", ExpertKind.LAB: "연구실", ExpertKind.EQUIPMENT: "장비"}
