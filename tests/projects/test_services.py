import datetime as dt
from decimal import Decimal

import pytest

from techvalley.core.audit import acting_as
from techvalley.core.models import AuditEntry
from techvalley.core.scoping import Viewer
from techvalley.core.validation import BadInput
from techvalley.projects import progress, selectors, services
from techvalley.projects.card import parse_card, render_text
from techvalley.projects.models import Achievement, CardVersion, ProgressReport, Project

#: A superuser viewer: these tests are about the figures, not about who sees them.
OFFICIAL = Viewer(user_id=0, is_superuser=True)


def test_planned_percent_from_the_yearly_plan():
    targets = [(2022, 10), (2023, 40), (2024, 60), (2025, 80), (2026, 100), (None, None)]
    assert progress.planned_percent(targets, dt.date(2021, 6, 1)) == 0
    assert progress.planned_percent(targets, dt.date(2023, 12, 31)) == 40
    assert progress.planned_percent(targets, dt.date(2024, 7, 1)) == pytest.approx(50.0, abs=0.2)  # half way 40→60
    assert progress.planned_percent(targets, dt.date(2030, 1, 1)) == 100
    assert progress.planned_percent([], dt.date(2024, 1, 1)) is None
    assert progress.is_behind(40, 98) and not progress.is_behind(55, 60)


def test_rollup_weighted_or_mean():
    assert progress.rollup([(50, 1), (100, 1)]) == 75
    assert progress.rollup([(50, 3), (100, 1)]) == 62.5
    assert progress.rollup([(None, 1), (100, 1)]) == 50
    assert progress.rollup([]) is None


@pytest.mark.django_db
def test_card_import_stores_every_field(pledge):
    card = services.card_of(pledge)
    original = parse_card(render_text(card)).card
    assert card == original
    assert pledge.achievements.count() == 22 and pledge.future_plans.count() == 5
    assert pledge.year_targets.count() == 6 and CardVersion.objects.filter(project=pledge).count() == 1


@pytest.mark.django_db
def test_reimport_same_card_changes_nothing_and_new_card_keeps_history(cx, pledge):
    audit_before, versions_before = AuditEntry.objects.count(), CardVersion.objects.count()
    card = services.card_of(pledge)
    services.import_card(card, cx)
    assert AuditEntry.objects.count() == audit_before and CardVersion.objects.count() == versions_before
    card["progress"]["percent"] = 60
    card["achievements"].append(
        {
            "heading": "지식산업센터 활성화",
            "subheading": "",
            "start": "2024-03",
            "end": None,
            "text": "입주기업 설명회",
            "notes": [],
        }
    )
    project, created = services.import_card(card, cx)
    assert not created and project.pk == pledge.pk
    project.refresh_from_db()
    assert project.actual_percent == 60 and project.achievements.count() == 23
    assert CardVersion.objects.filter(project=pledge).count() == 2
    change = AuditEntry.objects.filter(model="projects.Project", object_id=str(pledge.pk), action="update").latest("id")
    assert change.changes["actual_percent"] == ["40.0", "60"]


@pytest.mark.django_db
def test_rollup_override_and_budget_ledger(cx, pledge):
    a = services.add_subproject(pledge, "저탄소 그린산단 조성사업", weight=2)
    b = services.add_subproject(pledge, "경쟁력강화 전략 수립 용역")
    task = services.add_subproject(b, "착수보고회", kind=Project.Kind.TASK)
    Project.objects.filter(pk=a.pk).update(actual_percent=30)
    Project.objects.filter(pk=task.pk).update(actual_percent=90)
    percents = selectors.effective_percents(list(Project.objects.filter(complex=cx)))
    assert percents[b.pk] == (90.0, True)
    assert percents[pledge.pk] == (50.0, True)  # (30×2 + 90×1) / 3
    with pytest.raises(services.WorkflowError):
        services.set_progress_override(pledge, Decimal(45), "")
    services.set_progress_override(pledge, Decimal(45), "현장 점검 결과")
    assert selectors.effective_percents(list(Project.objects.filter(complex=cx)))[pledge.pk] == (45.0, False)

    services.set_budget_line(a, 2024, "national", planned=100, secured=80, spent=40)
    services.set_budget_line(task, 2024, "district", planned=10, secured=10, spent=10)
    services.set_budget_line(pledge, 2025, "city", planned=50, secured=0, spent=0)
    ledger = selectors.budget_ledger(OFFICIAL, pledge)
    assert (ledger["total"].planned, ledger["total"].secured, ledger["total"].spent) == (160, 90, 50)
    assert [y["year"] for y in ledger["years"]] == [2024, 2025]
    assert ledger["total"].execution_rate == pytest.approx(55.6)
    row = selectors.pledge_rows(OFFICIAL, cx, today=dt.date(2024, 12, 31))[0]
    assert row.budget.planned == 160 and row.actual == 45 and row.planned == 60 and row.behind
    assert [f.due for f in row.overdue] == ["2024-05", "2024-03"]
    with pytest.raises(services.WorkflowError):
        services.set_budget_line(a, 2024, "national", planned=-1)


@pytest.mark.django_db
def test_quarterly_report_workflow(world, pledge, planner):
    officer = world["users"]["officer"]
    report = services.draft_report(
        pledge,
        2024,
        1,
        Decimal(50),
        summary="1분기",
        user=officer,
        new_achievements=[{"heading": "지식산업센터 활성화", "start": "2024-02", "text": "입주 설명회 개최"}],
    )
    with pytest.raises(services.WorkflowError):
        services.approve_report(report, planner)  # a draft cannot be approved
    services.submit_report(report, officer)
    with pytest.raises(services.WorkflowError):
        services.draft_report(pledge, 2024, 1, Decimal(55), user=officer)  # submitted: locked
    with pytest.raises(services.WorkflowError):
        services.return_report(report, planner, "")  # a reason is required
    services.return_report(report, planner, "증빙 사진을 첨부하세요")
    report.refresh_from_db()
    assert report.state == ProgressReport.State.RETURNED
    services.draft_report(pledge, 2024, 1, Decimal(55), user=officer, new_achievements=report.new_achievements)
    services.submit_report(report := ProgressReport.objects.get(pk=report.pk), officer)
    with pytest.raises(services.WorkflowError):
        services.approve_report(report, officer)  # not by its author
    with acting_as(planner):
        services.approve_report(report, planner, "확인")
    pledge.refresh_from_db()
    assert pledge.actual_percent == 55
    new = Achievement.objects.get(report=report)
    assert (new.start, new.text, new.heading) == ("2024-02", "입주 설명회 개최", "지식산업센터 활성화")
    assert (
        CardVersion.objects.filter(project=pledge).first().reason == "2024년 1분기 보고 승인 / report 2024-Q1 approved"
    )
    approval = AuditEntry.objects.filter(model="projects.ProgressReport", object_id=str(report.pk)).latest("id")
    assert approval.actor == planner and approval.changes["state"] == ["submitted", "approved"]
    with pytest.raises(BadInput):
        services.draft_report(pledge, 2024, 5, Decimal(1), user=officer)


@pytest.mark.django_db
def test_report_rejects_achievements_without_dates(world, pledge):
    with pytest.raises(services.WorkflowError, match="YYYY-MM"):
        services.draft_report(pledge, 2024, 2, Decimal(10), new_achievements=[{"text": "날짜 없음"}])
