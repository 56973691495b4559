"""Use cases of plan tracking: importing cards, progress, budget, the quarterly report workflow."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from techvalley.core import audit
from techvalley.core.models import Complex
from techvalley.projects.card import ParseResult, empty_card, parse_card
from techvalley.projects.models import (
    Achievement,
    BudgetLine,
    CardVersion,
    Evidence,
    Field,
    FuturePlan,
    ProgressReport,
    Project,
    YearTarget,
)


class WorkflowError(Exception):
    """A step the workflow does not allow (wrong state, wrong person); the message says why."""


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
    card: dict, cx: Complex, *, field: Field | None = None, reason: str = "card import"
) -> tuple[Project, bool]:
    """Store a parsed card; a card with a known 관리번호 updates that pledge (history kept)."""
    if not card.get("management_no"):
        raise WorkflowError("관리번호가 없는 카드는 저장할 수 없습니다. / A card needs a management number.")
    project = Project.objects.filter(complex=cx, management_no=card["management_no"]).first()
    created = project is None
    values = _project_fields(card)
    if created:
        project = Project.objects.create(
            complex=cx, field=field, kind=Project.Kind.PLEDGE, management_no=card["management_no"], **values
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


def import_card_file(path: str | Path, cx: Complex, *, field: Field | None = None) -> tuple[Project, bool, ParseResult]:
    text = Path(path).read_text(encoding="utf-8-sig")
    parsed = parse_card(text)
    project, created = import_card(parsed.card, cx, field=field, reason=f"card import {Path(path).name}")
    return project, created, parsed


# --- progress and budget --------------------------------------------------------------------


def set_progress_override(project: Project, percent: Decimal | None, reason: str) -> Project:
    """Set (or clear, with None) a hand-set % that replaces the roll-up; a reason is required."""
    if percent is not None and not reason.strip():
        raise WorkflowError("직접 입력한 추진율에는 사유가 필요합니다. / A reason is required.")
    project.progress_override = percent
    project.override_reason = reason.strip() if percent is not None else ""
    project._audit_reason = reason
    project.save()
    return project


def set_budget_line(
    project: Project, year: int, source: str, *, planned: int = 0, secured: int = 0, spent: int = 0, note: str = ""
) -> BudgetLine:
    if min(planned, secured, spent) < 0:
        raise WorkflowError("예산 금액은 0 이상이어야 합니다. / Amounts cannot be negative.")
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


def _clean_achievements(items: list[dict]) -> list[dict]:
    clean = []
    for a in items:
        start = str(a.get("start", "")).strip()
        text = str(a.get("text", "")).strip()
        if not text or len(start) != 7 or start[4] != "-":
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
    """The department drafts (or revises a returned) quarterly report."""
    if not 1 <= quarter <= 4:
        raise WorkflowError("분기는 1~4입니다. / The quarter is 1 to 4.")
    report = ProgressReport.objects.filter(project=project, year=year, quarter=quarter).first()
    if report is None:
        report = ProgressReport(project=project, year=year, quarter=quarter, created_by=user)
    else:
        _check_state(report, ProgressReport.State.DRAFT, ProgressReport.State.RETURNED)
    report.percent = Decimal(str(percent))
    report.summary = summary
    report.new_achievements = _clean_achievements(new_achievements or [])
    report.state = ProgressReport.State.DRAFT
    report.save()
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
    project._audit_reason = f"report {report.year}-Q{report.quarter} approved"
    project.save()
    last = project.achievements.order_by("-order").values_list("order", flat=True).first() or 0
    for i, a in enumerate(report.new_achievements, start=1):
        _add_achievement(project, a, order=last + i, report=report)
    report.state, report.reviewed_by, report.reviewed_at = ProgressReport.State.APPROVED, user, timezone.now()
    report.review_comment = comment
    report.save()
    snapshot(project, f"report {report.year}-Q{report.quarter} approved")
    return report


def return_report(report: ProgressReport, user, comment: str) -> ProgressReport:
    """The planning office sends the report back with comments for the department to revise."""
    _check_state(report, ProgressReport.State.SUBMITTED)
    if not comment.strip():
        raise WorkflowError("반려 사유를 적어 주세요. / Say why the report is returned.")
    report.state, report.reviewed_by, report.reviewed_at = ProgressReport.State.RETURNED, user, timezone.now()
    report.review_comment = comment.strip()
    report.save()
    return report


def attach_evidence(report: ProgressReport, uploaded, user=None, name: str = "") -> Evidence:
    _check_state(report, ProgressReport.State.DRAFT, ProgressReport.State.RETURNED)
    return Evidence.objects.create(report=report, file=uploaded, name=(name or uploaded.name)[:200], uploaded_by=user)


def add_subproject(
    parent: Project, title: str, *, kind: str = Project.Kind.SUBPROJECT, weight: Decimal | float = 1
) -> Project:
    """A sub-project or task under a pledge; from now on the pledge's % rolls up from its children."""
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
