"""Read queries of plan tracking: pledge overviews with planned vs actual, budget ledgers, reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from techvalley.core.models import Complex
from techvalley.core.scoping import Viewer, officer_q
from techvalley.projects import permissions, progress
from techvalley.projects.models import BudgetLine, Evidence, FundingSource, FuturePlan, ProgressReport, Project


@dataclass
class Budget:
    planned: int = 0
    secured: int = 0
    spent: int = 0

    def add(self, other: Budget | BudgetLine) -> None:
        self.planned += other.planned
        self.secured += other.secured
        self.spent += other.spent

    @property
    def execution_rate(self) -> float | None:
        """Spent as a share of secured (집행률), the figure budget ledgers publish."""
        return round(100 * self.spent / self.secured, 1) if self.secured else None


@dataclass
class PledgeRow:
    """One pledge as the dashboards show it."""

    project: Project
    planned: float | None
    actual: float | None
    rolled_up: bool
    behind: bool
    budget: Budget
    overdue: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)

    @property
    def status_contradicted(self) -> bool:
        """The status says on track (or done) but the pledge's own numbers say otherwise."""
        return progress.status_contradicts(self.project.status, self.actual, self.planned)

    @property
    def suggested_status(self) -> str | None:
        return progress.suggested_status(self.actual, self.planned)


def effective_percents(projects: list[Project]) -> dict[int, tuple[float | None, bool]]:
    """Every project's effective % (override, else roll-up of children, else its own) and
    whether it was rolled up, computed bottom-up in memory from one list."""
    by_parent: dict[int | None, list[Project]] = defaultdict(list)
    for p in projects:
        by_parent[p.parent_id].append(p)
    result: dict[int, tuple[float | None, bool]] = {}

    def visit(p: Project) -> float | None:
        if p.pk in result:
            return result[p.pk][0]
        kids = by_parent.get(p.pk, [])
        kid_values = [(visit(k), k.weight) for k in kids]
        if p.progress_override is not None:
            result[p.pk] = (float(p.progress_override), False)
        elif kids:
            result[p.pk] = (progress.rollup(kid_values), True)
        else:
            result[p.pk] = (None if p.actual_percent is None else float(p.actual_percent), False)
        return result[p.pk][0]

    for p in projects:
        visit(p)
    return result


def budgets(projects: list[Project]) -> dict[int, Budget]:
    """Budget totals per project including all its descendants (roll-up to the parent)."""
    own: dict[int, Budget] = defaultdict(Budget)
    for p in projects:
        for line in p.budget_lines.all():
            own[p.pk].add(line)
    parent = {p.pk: p.parent_id for p in projects}
    total: dict[int, Budget] = defaultdict(Budget)
    for pk, b in own.items():
        node = pk
        while node is not None:
            total[node].add(b)
            node = parent.get(node)
    return total


def _complex_projects(cx: Complex, public_only: bool) -> list[Project]:
    qs = (
        Project.objects.filter(complex=cx)
        .select_related("field")
        .prefetch_related(
            "year_targets",
            "budget_lines",
            Prefetch("future_plans", queryset=FuturePlan.objects.order_by("order", "id")),
        )
    )
    if public_only:
        qs = qs.filter(public=True)
    return list(qs)


def pledge_rows(
    viewer: Viewer, cx: Complex, *, public_only: bool = False, today: dt.date | None = None
) -> list[PledgeRow]:
    """The pledges of a complex the viewer may see, with planned vs actual %, flags, budget and
    future plans: the officers of the complex see every pledge, everyone else the public ones
    (``public_only`` keeps to the public ones for anyone, as on the public pages).

    A fixed number of queries whatever the number of pledges (everything is prefetched).
    """
    today = today or timezone.localdate()
    public_only = public_only or not permissions.can_view_plan(viewer, cx)
    projects = _complex_projects(cx, public_only)
    percents = effective_percents(projects)
    money = budgets(projects)
    rows = []
    for p in projects:
        if p.kind != Project.Kind.PLEDGE:
            continue
        planned = progress.planned_percent([(t.year, t.percent) for t in p.year_targets.all()], today)
        actual, rolled = percents[p.pk]
        plans = list(p.future_plans.all())
        rows.append(
            PledgeRow(
                project=p,
                planned=planned,
                actual=actual,
                rolled_up=rolled,
                behind=progress.is_behind(actual, planned),
                budget=money.get(p.pk, Budget()),
                overdue=[f for f in plans if progress.is_overdue(f.due, f.done, today)],
                upcoming=[f for f in plans if f.due and not f.done and f.due >= progress.month_key(today)],
            )
        )
    return rows


def project_tree(viewer: Viewer, project: Project) -> list[tuple[int, Project, float | None]]:
    """The project and its descendants the viewer may see, depth-first, with depth and effective %
    (the % always counts every descendant, as the card does)."""
    projects = list(Project.objects.filter(complex_id=project.complex_id).order_by("order", "id"))
    percents = effective_percents(projects)
    if not permissions.can_view_plan(viewer, project.complex_id):
        projects = [p for p in projects if p.public or p.pk == project.pk]
    kids: dict[int | None, list[Project]] = defaultdict(list)
    for p in projects:
        kids[p.parent_id].append(p)
    out: list[tuple[int, Project, float | None]] = []

    def walk(p: Project, depth: int) -> None:
        out.append((depth, p, percents[p.pk][0]))
        for k in kids.get(p.pk, []):
            walk(k, depth + 1)

    walk(next(p for p in projects if p.pk == project.pk), 0)
    return out


def budget_ledger(viewer: Viewer, project: Project) -> dict:
    """공약가계부: by year and source, planned/secured/spent, the project and its descendants."""
    ids = [p.pk for _, p, _ in project_tree(viewer, project)]
    lines = BudgetLine.objects.filter(project_id__in=ids).select_related("project")
    table: dict[int, dict[str, Budget]] = defaultdict(lambda: defaultdict(Budget))
    by_source: dict[str, Budget] = defaultdict(Budget)
    total = Budget()
    for line in lines:
        table[line.year][line.source].add(line)
        by_source[line.source].add(line)
        total.add(line)
    sources = [s for s, _ in FundingSource.choices]
    return {
        "years": [
            {"year": y, "cells": [table[y][s] for s in sources], "total": _sum(table[y].values())}
            for y in sorted(table)
        ],
        "sources": [(s, label, by_source[s]) for s, label in FundingSource.choices],
        "total": total,
        "lines": list(lines),
    }


def budget_reconciliation(project: Project, ledger: dict) -> dict | None:
    """How the card's 소요예산 and the budget ledger (공약가계부) relate, when they differ.

    ``kind``: "non_budget" — the card says 비예산 (no budget of the district's own) while the
    ledger holds funds of the sub-projects (national, city … programmes run alongside);
    "differs" — the card names an amount and the ledger's planned total is another.
    None when they agree (or there is nothing to compare).
    """
    planned = ledger["total"].planned
    card_amount = project.budget_amount_krw
    text = project.budget_text.replace(" ", "")
    if card_amount is None and "비예산" in text and planned:
        by_source = [(label, b.planned) for _s, label, b in ledger["sources"] if b.planned]
        return {
            "kind": "non_budget",
            "card_text": project.budget_text,
            "ledger_planned": planned,
            "by_source": by_source,
        }
    if card_amount is not None and planned and card_amount != planned:
        return {
            "kind": "differs",
            "card_text": project.budget_text,
            "card_amount": card_amount,
            "ledger_planned": planned,
            "difference": planned - card_amount,
        }
    return None


def _sum(items) -> Budget:
    b = Budget()
    for x in items:
        b.add(x)
    return b


def reports(viewer: Viewer, cx: Complex, state: str = "") -> QuerySet:
    """Quarterly reports of the complex, for its officers (nobody else sees any)."""
    qs = ProgressReport.objects.filter(officer_q(viewer, "project__complex"), project__complex=cx).select_related(
        "project", "created_by", "reviewed_by"
    )
    return qs.filter(state=state) if state else qs


def evidence(viewer: Viewer, report: ProgressReport) -> QuerySet:
    """The evidence files of a report, for those who may see the report."""
    if not permissions.can_view_report(viewer, report):
        return Evidence.objects.none()
    return report.evidence.select_related("uploaded_by").order_by("uploaded_at", "id")


def achievement_links(viewer: Viewer, project: Project, *, public_only: bool = False) -> list[tuple]:
    """The card's achievements with their record links, [(achievement, [ResolvedLink …])], in
    one query per linked type. The public (and anyone who is not an officer of the complex)
    sees only links whose target is public, and only achievements that have one."""
    from techvalley.core import links

    public_only = public_only or not permissions.can_view_internal_card(viewer, project)
    achievements = list(project.achievements.all())
    resolved = links.links_for_many(achievements, public_only=public_only)
    pairs = [(a, resolved.get(a.pk, [])) for a in achievements]
    return [(a, found) for a, found in pairs if found] if public_only else pairs
