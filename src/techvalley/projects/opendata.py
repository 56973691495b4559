"""Open data of plan tracking: the plan's progress (공약 추진현황) as a public dataset.

One row per plan heading (a pledge, its sub-projects and tasks) and year: the yearly target
(연차별 추진계획), the achievements recorded in that year (추진실적), the budget ledger's
planned, secured and spent amounts of that year (공약가계부, all sources), and the heading's
progress today. Public records only: pledges published on the public pages and the
sub-projects and tasks under them; the department's name, never its contact person or phone.
Registered with ``spine.dataset`` in ``contributions.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.projects.models import Achievement, BudgetLine, Project, YearTarget

C = spine.Column
COLUMNS = (
    C("pledge_no", "string", _("Management number of the pledge (관리번호) the heading belongs to")),
    C("project_id", "integer", _("Identifier of the plan heading on the platform")),
    C("parent_id", "integer", _("Identifier of the heading it sits under (empty for a pledge)")),
    C("level", "string", _("pledge (공약), subproject (세부사업) or task (과제)")),
    C("title", "string", _("Title (사업명)")),
    C("field", "string", _("Policy field (분야)")),
    C("department", "string", _("Department in charge (추진부서), without contact persons")),
    C(
        "status",
        "string",
        _(
            "State of the pledge (Korea Manifesto Center's categories): completed, continuing, "
            "on_track, partial, on_hold, abandoned"
        ),
    ),
    C(
        "progress_percent",
        "number",
        _("Progress today: approved reports, rolled up from the sub-projects, or set by hand with a reason"),
        "%",
    ),
    C("year", "integer", _("Year of the row (empty: the column after the term, 임기 후)")),
    C("target_percent", "number", _("Planned progress by the end of the year (연차별 추진계획)"), "%"),
    C("target_plan", "string", _("Work planned for the year")),
    C("achievements", "integer", _("Achievements (추진실적) recorded in the year")),
    C("budget_planned_krw", "integer", _("Budget planned for the year, all sources (공약가계부)"), "KRW"),
    C("budget_secured_krw", "integer", _("Budget secured for the year, all sources"), "KRW"),
    C("budget_spent_krw", "integer", _("Budget spent in the year, all sources"), "KRW"),
)


def public_projects(cx) -> list[Project]:
    """The published pledges of the complex and the headings under them (each must be public too)."""
    everything = list(
        Project.objects.filter(complex=cx).select_related("field").order_by("order", "management_no", "id")
    )
    by_parent: dict[int | None, list[Project]] = defaultdict(list)
    for p in everything:
        by_parent[p.parent_id].append(p)
    out: list[Project] = []

    def walk(p: Project) -> None:
        out.append(p)
        for child in by_parent.get(p.pk, []):
            if child.public:
                walk(child)

    for root in by_parent.get(None, []):
        if root.kind == Project.Kind.PLEDGE and root.public:
            walk(root)
    return out


def rows(cx):
    from techvalley.projects.selectors import effective_percents

    projects = public_projects(cx)
    ids = [p.pk for p in projects]
    percents = effective_percents(list(Project.objects.filter(complex=cx)))
    by_id = {p.pk: p for p in projects}
    targets: dict[int, dict[int | None, YearTarget]] = defaultdict(dict)
    for t in YearTarget.objects.filter(project_id__in=ids).order_by("order", "id"):
        targets[t.project_id][t.year] = t
    achieved: dict[int, Counter] = defaultdict(Counter)
    for pid, start in Achievement.objects.filter(project_id__in=ids).values_list("project_id", "start"):
        if start[:4].isdigit():
            achieved[pid][int(start[:4])] += 1
    money: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for line in BudgetLine.objects.filter(project_id__in=ids):
        cell = money[line.project_id][line.year]
        cell[0] += line.planned
        cell[1] += line.secured
        cell[2] += line.spent

    def pledge_no(p: Project) -> str:
        while p.parent_id is not None and p.parent_id in by_id:
            p = by_id[p.parent_id]
        return p.management_no

    for p in projects:
        years = set(targets[p.pk]) | set(achieved[p.pk]) | set(money[p.pk])
        progress = percents.get(p.pk, (None, False))[0]
        for year in sorted(years, key=lambda y: (y is None, y or 0)) or [None]:
            t = targets[p.pk].get(year)
            planned, secured, spent = money[p.pk][year] if year in money[p.pk] else (None, None, None)
            yield (
                pledge_no(p),
                p.pk,
                p.parent_id,
                p.kind,
                p.title,
                p.field.name if p.field else "",
                p.department_name,
                p.status,
                None if progress is None else float(progress),
                year,
                None if t is None or t.percent is None else float(t.percent),
                t.plan if t is not None else "",
                achieved[p.pk].get(year, 0) if year is not None else 0,
                planned,
                secured,
                spent,
            )


def updated(cx) -> dt.date | None:
    last = Project.objects.filter(complex=cx, public=True).aggregate(last=Max("updated_at"))["last"]
    return last.date() if last else None
