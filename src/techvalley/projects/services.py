"""Use cases of plan tracking: importing cards, progress, budget, the quarterly report workflow."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from techvalley.core import audit
from techvalley.core.models import Complex
from techvalley.core.validation import (
    BIGINT_MAX,
    YEAR_MAX,
    YEAR_MIN,
    BadInput,
    check_size,
    clean_text,
    has_control_chars,
    int_param,
)
from techvalley.projects.card import CARD_MAX_BYTES, ParseResult, decode_card, empty_card, parse_card
from techvalley.projects.models import (
    Achievement,
    BudgetLine,
    CardVersion,
    Evidence,
    Field,
    FuturePlan,
    ProgressReport,
    Project,
    Status,
    YearTarget,
)


class WorkflowError(Exception):
    """A step the workflow does not allow (wrong state, wrong person); the message says why."""


#: The largest evidence file (a scanned agreement or a few photos).
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
#: Evidence files are served with the type of their extension from this list, and always as a
#: download; anything else (HTML, SVG, scripts …) as application/octet-stream, so that no
#: uploaded file can ever be rendered as a page of the platform.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".hwp": "application/x-hwp",
    ".hwpx": "application/hwp+zip",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".zip": "application/zip",
}
SAFE_DEFAULT_TYPE = "application/octet-stream"


def evidence_content_type(filename: str) -> str:
    return EVIDENCE_TYPES.get(Path(filename).suffix.lower(), SAFE_DEFAULT_TYPE)


def _num(value) -> float | int | None:
    if value is None:
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


# --- the card <-> the model -----------------------------------------------------------------


def card_of(project: Project, *, public: bool = False) -> dict:
    """The project as card data (the JSON of docs/card-format.md). ``public`` drops contacts."""
    card = empty_card()
    percent = project.actual_percent
    if project.progress_override is not None:
        percent = project.progress_override
    elif project.children.exists():
        from techvalley.projects.selectors import effective_percents

        percent = effective_percents(list(Project.objects.filter(complex_id=project.complex_id)))[project.pk][0]
    card.update(
        management_no=project.management_no,
        title=project.title,
        category=project.category,
        owner=project.owner,
        period={"start": project.period_start, "end": project.period_end},
        progress={"state": project.progress_state, "percent": _num(percent)},
        budget={"text": project.budget_text, "amount_krw": project.budget_amount_krw},
        completion=project.completion,
        department={
            "name": project.department_name,
            "team": project.department_team,
            "contact": "" if public else project.department_contact,
            "phone": "" if public else project.department_phone,
        },
        cooperating=[{**c, "contact": "", "phone": ""} if public else dict(c) for c in project.cooperating],
        final_goal=project.final_goal,
        term_goal=project.term_goal,
        overview=list(project.overview),
        detailed_plans=list(project.detailed_plans),
        yearly_plan_task=project.yearly_plan_task,
        yearly_plan=[{"year": t.year, "percent": _num(t.percent), "plan": t.plan} for t in project.year_targets.all()],
        achievements=[
            {
                "heading": a.heading,
                "subheading": a.subheading,
                "start": a.start,
                "end": a.end or None,
                "text": a.text,
                "notes": list(a.notes),
            }
            for a in project.achievements.all()
        ],
        future_plans=[{"text": f.text, "due": f.due or None} for f in project.future_plans.all()],
        communication=dict(project.communication),
        expected_effects=list(project.expected_effects),
    )
    return card


def _bad_card(message: str, field: str) -> BadInput:
    return BadInput(message, field=field, code="bad_card")


def _check_percent(value, what: str, field: str) -> None:
    if value is not None and not 0 <= float(value) <= 100:
        raise _bad_card(
            f"{what}: 추진율 {str(value)[:30]}%는 0~100% 사이여야 합니다. / {field}: {str(value)[:30]}% is not "
            "between 0 and 100%.",
            field,
        )


def _check_year(value, what: str, field: str) -> None:
    if value is not None and not YEAR_MIN <= int(value) <= YEAR_MAX:
        raise _bad_card(
            f"{what}: {value}년은 {YEAR_MIN}~{YEAR_MAX}년 사이여야 합니다. / {field}: the year {value} is not "
            f"between {YEAR_MIN} and {YEAR_MAX}.",
            field,
        )


def _check_strings(value, field: str) -> None:
    if isinstance(value, str):
        if has_control_chars(value):
            raise _bad_card(f"{field}: 허용되지 않는 제어 문자(NUL 등)가 있습니다. / control characters.", field)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_strings(v, f"{field}.{k}" if field else str(k))
    elif isinstance(value, list):
        for v in value:
            _check_strings(v, field)


def validate_card(card: dict) -> None:
    """Refuse a card the database could not store faithfully, with a message naming the field:
    a % outside 0–100, a budget beyond what can be stored, an impossible year, an over-long
    header value, a control character."""
    _check_strings(card, "")
    _check_percent(card["progress"]["percent"], "추진상황", "progress")
    amount = card["budget"]["amount_krw"]
    if amount is not None and not 0 <= amount <= BIGINT_MAX:
        raise _bad_card(
            f"소요예산: {card['budget']['text'][:40]} — 저장할 수 있는 금액을 넘습니다. / budget: the amount is "
            "too large to store.",
            "budget",
        )
    _check_year(card["period"]["start"], "사업기간", "period")
    _check_year(card["period"]["end"], "사업기간", "period")
    for t in card["yearly_plan"]:
        _check_year(t["year"], "연차별 추진계획", "yearly_plan")
        _check_percent(t["percent"], "연차별 추진계획", "yearly_plan")
    if len(card["management_no"]) > Project._meta.get_field("management_no").max_length:
        raise _bad_card("관리번호가 너무 깁니다. / the management number is too long.", "management_no")
    for name, value in _project_fields(card).items():
        limit = getattr(Project._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            label = Project._meta.get_field(name).verbose_name
            raise _bad_card(
                f"{label}: {limit}자 이하여야 합니다 ({len(value)}자). / {name}: at most {limit} characters.", name
            )
    for a in card["achievements"]:
        for key in ("heading", "subheading"):
            if len(a[key]) > 300:
                raise _bad_card(
                    "추진실적의 제목이 300자를 넘습니다. / an achievement heading is over 300 characters.",
                    "achievements",
                )


def _project_fields(card: dict) -> dict:
    dep = card["department"]
    return {
        "title": card["title"][:300],
        "category": card["category"],
        "owner": card["owner"],
        "period_start": card["period"]["start"],
        "period_end": card["period"]["end"],
        "progress_state": card["progress"]["state"],
        "actual_percent": None if card["progress"]["percent"] is None else Decimal(str(card["progress"]["percent"])),
        "budget_text": card["budget"]["text"],
        "budget_amount_krw": card["budget"]["amount_krw"],
        "completion": card["completion"],
        "department_name": dep["name"],
        "department_team": dep["team"],
        "department_contact": dep["contact"],
        "department_phone": dep["phone"],
        "cooperating": card["cooperating"],
        "final_goal": card["final_goal"],
        "term_goal": card["term_goal"],
        "overview": card["overview"],
        "detailed_plans": card["detailed_plans"],
        "yearly_plan_task": card["yearly_plan_task"],
        "communication": card["communication"],
        "expected_effects": card["expected_effects"],
    }


def _add_achievement(project: Project, a: dict, *, order: int, report: ProgressReport | None = None) -> Achievement:
    """One achievement in the card's shape ({heading, subheading, start, end, text, notes})."""
    return Achievement.objects.create(
        project=project,
        heading=a["heading"],
        subheading=a["subheading"],
        start=a["start"],
        end=a["end"] or "",
        text=a["text"],
        notes=a["notes"],
        order=order,
        report=report,
    )


def _replace_children(project: Project, card: dict) -> None:
    """Make the yearly plan, achievements and future plans those of the card (only what differs)."""
    current = card_of(project)
    if current["yearly_plan"] != card["yearly_plan"]:
        project.year_targets.all().delete()
        for i, t in enumerate(card["yearly_plan"]):
            YearTarget.objects.create(
                project=project,
                year=t["year"],
                plan=t["plan"],
                order=i,
                percent=None if t["percent"] is None else Decimal(str(t["percent"])),
            )
    if current["achievements"] != card["achievements"]:
        project.achievements.filter(report__isnull=True).delete()
        for i, a in enumerate(card["achievements"]):
            _add_achievement(project, a, order=i)
    if current["future_plans"] != card["future_plans"]:
        project.future_plans.all().delete()
        for i, f in enumerate(card["future_plans"]):
            FuturePlan.objects.create(project=project, text=f["text"], due=f["due"] or "", order=i)


def snapshot(project: Project, reason: str) -> CardVersion:
    return CardVersion.objects.create(
        project=project, card=card_of(project), reason=reason, actor_label=audit.current_actor()[1]
    )


@transaction.atomic
def import_card(
    card: dict,
    cx: Complex,
    *,
    field: Field | None = None,
    reason: str = "관리카드 가져오기 / card import",
    publish: bool = False,
) -> tuple[Project, bool]:
    """Store a parsed card; a card with a known 관리번호 updates that pledge (history kept).

    A new pledge starts internal (not on the public pages) until an officer publishes it
    (``publish_project``), or ``publish=True`` (the demo, ``card import --publish``).
    """
    if not card.get("management_no"):
        raise WorkflowError("관리번호가 없는 카드는 저장할 수 없습니다. / A card needs a management number.")
    validate_card(card)
    project = Project.objects.filter(complex=cx, management_no=card["management_no"]).first()
    created = project is None
    values = _project_fields(card)
    if created:
        project = Project.objects.create(
            complex=cx,
            field=field,
            kind=Project.Kind.PLEDGE,
            management_no=card["management_no"],
            public=publish,
            **values,
        )
    else:
        changed = {k: v for k, v in values.items() if getattr(project, k) != v}
        if project.children.exists() and "actual_percent" in changed:
            # With sub-projects the % rolls up; the card's own figure becomes a reasoned override.
            project.progress_override = changed.pop("actual_percent")
            project.override_reason = "관리카드 기재값 / as written on the card"
        for k, v in changed.items():
            setattr(project, k, v)
        if field is not None:
            project.field = field
        project._audit_reason = reason
        project.save()
    before = None if created else project.versions.first()
    _replace_children(project, card)
    if before is None or before.card != card_of(project):
        snapshot(project, reason)
    return project, created


def read_card_file(path: str | Path) -> ParseResult:
    """Parse a card file (UTF-8 with or without BOM, or CP949/EUC-KR), refusing oversized files."""
    path = Path(path)
    check_size(path.stat().st_size, CARD_MAX_BYTES, "관리카드 / card")
    return parse_card(decode_card(path.read_bytes()))


def import_card_file(
    path: str | Path, cx: Complex, *, field: Field | None = None, publish: bool = False
) -> tuple[Project, bool, ParseResult]:
    parsed = read_card_file(path)
    project, created = import_card(
        parsed.card,
        cx,
        field=field,
        reason=f"관리카드 가져오기 / card import: {Path(path).name}"[:200],
        publish=publish,
    )
    return project, created, parsed


def import_card_upload(upload, cx: Complex) -> tuple[Project, bool, ParseResult]:
    """A card uploaded on the web: size-checked, decoded, parsed, validated; stored internal."""
    check_size(upload.size, CARD_MAX_BYTES, "관리카드 / card")
    parsed = parse_card(decode_card(upload.read()))
    name = clean_text(Path(upload.name).name, "file", max_length=200)
    project, created = import_card(parsed.card, cx, reason=f"관리카드 올리기 / card upload: {name}"[:200])
    return project, created, parsed


#: What an officer edits on the card between reports. Progress is not among them: it changes
#: through an approved report, or by hand with a reason (``set_progress_override``).
EDITABLE_FIELDS = (
    "title",
    "status",
    "progress_state",
    "weight",
    "category",
    "owner",
    "period_start",
    "period_end",
    "budget_text",
    "budget_amount_krw",
    "completion",
    "department_name",
    "department_team",
    "department_contact",
    "department_phone",
    "final_goal",
    "term_goal",
)


def _labels(names) -> str:
    """The Korean names of the card's fields (the history is read by the district's staff)."""
    from django.utils import translation

    with translation.override("ko"):
        return ", ".join(str(Project._meta.get_field(n).verbose_name) for n in sorted(names))


def _approved(report: ProgressReport) -> str:
    return f"{report.year}년 {report.quarter}분기 보고 승인 / report {report.year}-Q{report.quarter} approved"


@transaction.atomic
def update_project(project: Project, changes: dict, *, reason: str = "") -> Project:
    """Change the card's fields (those of ``EDITABLE_FIELDS``); the card is snapshotted."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise WorkflowError(
            f"이 화면에서 바꿀 수 없는 항목입니다: {', '.join(sorted(unknown))}. / Not editable here: "
            f"{', '.join(sorted(unknown))}."
        )
    for name, value in changes.items():
        if isinstance(value, str):
            limit = getattr(Project._meta.get_field(name), "max_length", None)
            changes[name] = clean_text(value, name, max_length=limit)
    changed = {k: v for k, v in changes.items() if getattr(project, k) != v}
    if not changed:
        return project
    for k, v in changed.items():
        setattr(project, k, v)
    reason = clean_text(reason, "reason", max_length=300).strip()
    project._audit_reason = reason or "관리카드 수정 / card edited"
    project.save()
    snapshot(project, f"관리카드 수정 / card edited: {_labels(changed)}"[:200])
    return project


def set_communication_source(project: Project, source: str) -> Project:
    """The card's 구민소통 counts: "records" (counted from the communication records, when an app
    provides them) or "card" (the figures written on the card, kept by the officer)."""
    if source not in ("records", "card"):
        raise BadInput(
            f"모르는 출처입니다: {str(source)[:30]} (records 또는 card). / unknown source (records or card).",
            field="source",
        )
    if project.communication_source != source:
        project.communication_source = source
        project._audit_reason = (
            "구민소통 실적: 기록에서 집계 / communication counted from the records"
            if source == "records"
            else "구민소통 실적: 카드 기재값 유지 / communication as written on the card"
        )
        project.save()
    return project


def publish_project(project: Project, public: bool) -> Project:
    """Show the pledge on the public pages (without internal contacts), or take it off them."""
    if project.public != public:
        project.public = public
        project._audit_reason = "공개 / published" if public else "공개 중지 / unpublished"
        project.save()
    return project


# --- progress and budget --------------------------------------------------------------------


@transaction.atomic
def set_progress_override(project: Project, percent: Decimal | None, reason: str) -> Project:
    """Set (or clear, with None) a hand-set % that replaces the reported or rolled-up one.

    A reason is required, and the card is snapshotted: progress otherwise changes only
    through an approved quarterly report.
    """
    reason = clean_text(reason, "reason", max_length=300).strip()
    if percent is not None:
        if not reason:
            raise WorkflowError("직접 입력한 추진율에는 사유가 필요합니다. / A reason is required.")
        if not 0 <= Decimal(str(percent)) <= 100:
            raise BadInput("추진율은 0~100%입니다. / progress is 0 to 100%.", field="percent")
    project.progress_override = percent
    project.override_reason = reason if percent is not None else ""
    project._audit_reason = reason or "직접 입력한 추진율 해제 / hand-set progress cleared"
    project.save()
    snapshot(
        project,
        (
            f"추진율 직접 입력 / progress set by hand: {reason}"
            if percent is not None
            else "직접 입력한 추진율 해제 / hand-set progress cleared"
        )[:200],
    )
    return project


def set_status(project: Project, status: str, reason: str = "") -> Project:
    """The pledge's state (정상추진, 일부추진 …) as the department judges it."""
    if status not in dict(Status.choices):
        raise BadInput(f"모르는 상태입니다: {status[:30]}. / unknown status.", field="status")
    if project.status != status:
        project.status = status
        project._audit_reason = clean_text(reason, "reason", max_length=300)
        project.save()
    return project


def set_budget_line(
    project: Project, year: int, source: str, *, planned: int = 0, secured: int = 0, spent: int = 0, note: str = ""
) -> BudgetLine:
    if min(planned, secured, spent) < 0:
        raise WorkflowError("예산 금액은 0 이상이어야 합니다. / Amounts cannot be negative.")
    if max(planned, secured, spent) > BIGINT_MAX:
        raise BadInput("금액이 너무 큽니다. / the amount is too large.", field="planned")
    note = clean_text(note, "note", max_length=300)
    line, _ = BudgetLine.objects.get_or_create(project=project, year=year, source=source)
    line.planned, line.secured, line.spent, line.note = planned, secured, spent, note
    line.save()
    return line


# --- the quarterly report workflow ------------------------------------------------------------


def _check_state(report: ProgressReport, *allowed: str) -> None:
    if report.state not in allowed:
        raise WorkflowError(
            f"이 보고서는 '{report.get_state_display()}' 상태라 이 작업을 할 수 없습니다. / "
            f"Not possible while the report is {report.state}."
        )


def _is_month(text: str) -> bool:
    """ "YYYY-MM" with a real month in the platform's years."""
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isascii() or not (text[:4] + text[5:]).isdigit():
        return False
    return YEAR_MIN <= int(text[:4]) <= YEAR_MAX and 1 <= int(text[5:]) <= 12


def _clean_achievements(items: list[dict]) -> list[dict]:
    clean = []
    for a in items:
        if not isinstance(a, dict):
            raise BadInput(
                "실적은 객체의 목록이어야 합니다. / achievements must be a list of objects.", field="new_achievements"
            )
        for key in ("heading", "subheading", "start", "end", "text"):
            if a.get(key) is not None:
                clean_text(str(a[key]), key, max_length=300 if key in ("heading", "subheading") else 2000)
        start = str(a.get("start", "")).strip()
        text = str(a.get("text", "")).strip()
        end = str(a.get("end") or "").strip()
        if not text or not _is_month(start) or (end and not _is_month(end)):
            raise WorkflowError(
                "실적마다 내용과 시작 연월(YYYY-MM)이 필요합니다. / Each achievement needs a text "
                "and a start month (YYYY-MM)."
            )
        clean.append(
            {
                "heading": str(a.get("heading", "")).strip(),
                "subheading": str(a.get("subheading", "")).strip(),
                "start": start,
                "end": (str(a.get("end") or "").strip() or None),
                "text": text,
                "notes": [str(n) for n in a.get("notes", []) if str(n).strip()],
            }
        )
    return clean


@transaction.atomic
def draft_report(
    project: Project,
    year: int,
    quarter: int,
    percent: Decimal,
    *,
    summary: str = "",
    new_achievements: list[dict] | None = None,
    user=None,
) -> ProgressReport:
    """The department drafts (or revises a draft or a returned) quarterly report.

    Two requests drafting the same quarter at once: one creates the report, the other is
    told it already exists (``BadInput`` with code "conflict", 409) — never a server error.
    """
    if not 1 <= quarter <= 4:
        raise BadInput("분기는 1~4입니다. / The quarter is 1 to 4.", field="quarter")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise BadInput(f"연도는 {YEAR_MIN}~{YEAR_MAX}입니다. / the year is out of range.", field="year")
    percent = Decimal(str(percent))
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise BadInput("추진율은 0~100%입니다. / progress is 0 to 100%.", field="percent")
    summary = clean_text(summary, "summary", max_length=5000)
    achievements = _clean_achievements(new_achievements or [])
    report = ProgressReport.objects.select_for_update().filter(project=project, year=year, quarter=quarter).first()
    created = report is None
    if created:
        report = ProgressReport(project=project, year=year, quarter=quarter, created_by=user)
    else:
        _check_state(report, ProgressReport.State.DRAFT, ProgressReport.State.RETURNED)
    report.percent = percent.quantize(Decimal("0.1"))
    report.summary = summary
    report.new_achievements = achievements
    report.state = ProgressReport.State.DRAFT
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        if not created:
            raise
        raise BadInput(
            f"{year}년 {quarter}분기 보고서가 이미 있습니다 (방금 다른 요청으로 만들어졌습니다). 새로고침 후 그 "
            f"보고서를 고치세요. / A report for {year} Q{quarter} already exists; reload and edit it.",
            field="quarter",
            code="conflict",
            status=409,
        ) from None
    return report


def submit_report(report: ProgressReport, user=None) -> ProgressReport:
    _check_state(report, ProgressReport.State.DRAFT)
    report.state, report.submitted_at = ProgressReport.State.SUBMITTED, timezone.now()
    report.save()
    return report


@transaction.atomic
def approve_report(report: ProgressReport, user, comment: str = "") -> ProgressReport:
    """The planning office approves: the pledge's % and achievements are updated from the report."""
    _check_state(report, ProgressReport.State.SUBMITTED)
    comment = clean_text(comment, "comment", max_length=5000)
    if (
        report.created_by_id is not None
        and user is not None
        and report.created_by_id == user.pk
        and not user.is_superuser
    ):
        raise WorkflowError("작성자가 자기 보고서를 승인할 수 없습니다. / The author cannot approve their own report.")
    project = Project.objects.select_for_update().get(pk=report.project_id)
    if project.children.exists():
        project.progress_override = report.percent
        project.override_reason = f"{report.year}년 {report.quarter}분기 보고 승인 / approved report"
    else:
        project.actual_percent = report.percent
    project.progress_state = project.progress_state or "추진 중"
    project._audit_reason = _approved(report)
    project.save()
    last = project.achievements.order_by("-order").values_list("order", flat=True).first() or 0
    for i, a in enumerate(report.new_achievements, start=1):
        _add_achievement(project, a, order=last + i, report=report)
    report.state, report.reviewed_by, report.reviewed_at = ProgressReport.State.APPROVED, user, timezone.now()
    report.review_comment = comment
    report.save()
    snapshot(project, _approved(report))
    return report


def return_report(report: ProgressReport, user, comment: str) -> ProgressReport:
    """The planning office sends the report back with comments for the department to revise."""
    _check_state(report, ProgressReport.State.SUBMITTED)
    comment = clean_text(comment, "comment", max_length=5000)
    if not comment.strip():
        raise WorkflowError("반려 사유를 적어 주세요. / Say why the report is returned.")
    report.state, report.reviewed_by, report.reviewed_at = ProgressReport.State.RETURNED, user, timezone.now()
    report.review_comment = comment.strip()
    report.save()
    return report


def attach_evidence(report: ProgressReport, uploaded, user=None, name: str = "") -> Evidence:
    """A file attached to a draft or returned report. Its size is limited, its type comes from
    its extension (see ``EVIDENCE_TYPES``), and it is only ever served as a download through
    the report's scoped view — never from a public media URL."""
    _check_state(report, ProgressReport.State.DRAFT, ProgressReport.State.RETURNED)
    check_size(uploaded.size, EVIDENCE_MAX_BYTES, "증빙 파일 / evidence")
    filename = clean_text(Path(uploaded.name or "").name, "file", max_length=200)
    if not filename.strip():
        raise BadInput("파일 이름이 없습니다. / the file has no name.", field="file")
    name = clean_text(name, "name", max_length=200).strip() or filename
    return Evidence.objects.create(
        report=report,
        file=uploaded,
        name=name[:200],
        content_type=evidence_content_type(filename),
        size=uploaded.size,
        uploaded_by=user,
    )


def add_subproject(
    parent: Project, title: str, *, kind: str = Project.Kind.SUBPROJECT, weight: Decimal | float = 1
) -> Project:
    """A sub-project or task under a pledge; from now on the pledge's % rolls up from its children."""
    title = clean_text(title, "title", max_length=300, required=True).strip()
    order = (parent.children.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return Project.objects.create(
        complex_id=parent.complex_id,
        field_id=parent.field_id,
        parent=parent,
        kind=kind,
        title=title,
        weight=Decimal(str(weight)),
        order=order,
        department_name=parent.department_name,
        department_team=parent.department_team,
    )


def _budget_text(amount_krw: int) -> str:
    """The amount as a card writes it: 백만원 when it is a whole number of millions, else 원."""
    if amount_krw % 1_000_000 == 0:
        return f"{amount_krw // 1_000_000:,}백만원"
    return f"{amount_krw:,}원"


@transaction.atomic
def create_subproject(
    parent: Project, title: str, *, description: str = "", budget_krw=None, reason: str = ""
) -> Project:
    """A sub-project (세부사업) under a pledge or another sub-project, with its description (the
    card's 사업개요, one item a line) and budget (소요예산) if given — what an officer makes when
    promoting a candidate from the surveys' board (the action ``projects.subproject``).

    Validated whole: a title (1–300 characters), a description of at most 5,000 characters,
    a budget of 0 KRW or more that the database can hold, a parent that is a pledge or a
    sub-project (not a task). ``BadInput`` otherwise.
    """
    if parent.kind not in (Project.Kind.PLEDGE, Project.Kind.SUBPROJECT):
        raise BadInput(
            "세부사업은 공약이나 다른 세부사업 아래에만 둘 수 있습니다 (과제 아래는 안 됩니다). / A sub-project goes "
            "under a pledge or another sub-project, not under a task.",
            field="parent",
        )
    title = clean_text(title, "title", max_length=300, required=True).strip()
    if not title:
        raise BadInput("세부사업명을 적어 주세요. / the sub-project needs a title.", field="title")
    description = clean_text(description, "description", max_length=5000)
    amount = int_param(budget_krw, "budget_krw", lo=0)
    reason = clean_text(reason, "reason", max_length=300).strip()
    order = (parent.children.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    child = Project(
        complex_id=parent.complex_id,
        field_id=parent.field_id,
        parent=parent,
        kind=Project.Kind.SUBPROJECT,
        title=title,
        order=order,
        department_name=parent.department_name,
        department_team=parent.department_team,
        overview=[line.strip() for line in description.splitlines() if line.strip()],
        budget_amount_krw=amount,
        budget_text=_budget_text(amount) if amount is not None else "",
        public=parent.public,
    )
    child._audit_reason = reason or "세부사업 추가 / sub-project added"
    child.save()
    snapshot(child, (reason or "세부사업 추가 / sub-project added")[:200])
    return child
