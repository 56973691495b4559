"""What plan tracking contributes through the spine: pledges, the plan dashboard, the plan API,
its access table, dashboard panels and the demo step."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine
from techvalley.core.spine import ANYONE, Access

spine.pages("plan/", "techvalley.projects.urls")
spine.api("/plan", "techvalley.projects.api.router")


def _default_complex_id() -> int | None:
    """The complex the plan pages open on (as ``core.views.current_complex`` picks it)."""
    from django.conf import settings

    from techvalley.core.models import Complex

    ids = Complex.objects.filter(slug=settings.TECHVALLEY_DEFAULT_COMPLEX).values_list("pk", flat=True)
    return ids.first() or Complex.objects.order_by("id").values_list("pk", flat=True).first()


def _can_open_plan(viewer) -> bool:
    from techvalley.projects import permissions

    return viewer.is_officer and permissions.can_view_plan(viewer, _default_complex_id())


spine.nav(
    spine.NavEntry("pledges", _("Pledges"), "projects:pledge_list", order=40),
    spine.NavEntry(
        "plan_dashboard", _("Plan dashboard"), "projects:dashboard", _can_open_plan, order=50, group="officer"
    ),
    spine.NavEntry(
        "plan_reports", _("Quarterly reports"), "projects:report_list", _can_open_plan, order=52, group="officer"
    ),
)

# --- who may use what ---------------------------------------------------------------------------
#
# Plan records belong to a complex, not to a company. In this table side "a" of an object is
# a record of the complex whose officers are the test's officers, side "b" a record of another
# complex; so "own:officer" reads "an officer of the record's own complex".
OWN_OFFICERS = frozenset({"own:officer", "own:planner"})
OWN_PLANNERS = frozenset({"own:planner"})
NOBODY: frozenset[str] = frozenset()
CARD_FORMATS = ("pdf", "hwpx", "txt", "html")


def _evidence_body(objects, side):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("사진.png", b"\x89PNG\r\n\x1a\n", "image/png"), "name": "현장 사진"}


spine.access(
    "projects",
    [
        # public pages
        Access("projects:pledge_list", ANYONE),
        Access("projects:pledge_list", ANYONE, params={"query": {"page": "4611686018427387905"}}),
        Access("projects:pledge_public", ANYONE, obj="pledge"),
        Access("projects:pledge_public", NOBODY, obj="internal_pledge", note="internal pledges are not public"),
        *(Access("projects:card_download", ANYONE, obj="pledge", params={"fmt": f}) for f in CARD_FORMATS),
        Access("projects:card_download", OWN_OFFICERS, obj="internal_pledge", params={"fmt": "txt"}),
        Access("projects:card_download", NOBODY, obj="pledge", params={"fmt": "exe"}, note="unknown format: 404"),
        # the officers' side
        Access("projects:dashboard", OWN_OFFICERS),
        Access("projects:export_xlsx", OWN_OFFICERS),
        Access("projects:card_import", OWN_OFFICERS),
        Access("projects:card_import", OWN_OFFICERS, method="POST", note="no file: the form answers"),
        Access("projects:card_page", OWN_OFFICERS, obj="pledge"),
        Access("projects:card_page", OWN_OFFICERS, obj="internal_pledge"),
        Access("projects:project_edit", OWN_OFFICERS, obj="pledge"),
        Access(
            "projects:project_edit",
            OWN_OFFICERS,
            obj="pledge",
            method="POST",
            body={"title": "공약 <script>alert(1)</script>", "status": "on_track", "weight": "1", "reason": "점검"},
        ),
        Access(
            "projects:project_override",
            OWN_OFFICERS,
            obj="pledge",
            method="POST",
            body={"percent": "50", "reason": "접근 점검 / access test"},
        ),
        Access("projects:project_publish", OWN_OFFICERS, obj="pledge", method="POST", body={"public": "1"}),
        Access("projects:communication_source", OWN_OFFICERS, obj="pledge", method="POST", body={"source": "card"}),
        Access(
            "projects:budget_add",
            OWN_OFFICERS,
            obj="pledge",
            method="POST",
            body={"year": "2025", "source": "city", "planned": "100", "secured": "50", "spent": "10", "note": "t"},
        ),
        Access(
            "projects:subproject_add",
            OWN_OFFICERS,
            obj="pledge",
            method="POST",
            body={"title": "과제 <script>alert(1)</script>", "kind": "task", "weight": "1"},
        ),
        Access("projects:report_new", OWN_OFFICERS, obj="pledge"),
        Access("projects:report_new", OWN_OFFICERS, obj="pledge", method="POST", note="empty form: answered"),
        Access("projects:report_edit", OWN_OFFICERS, obj="pledge_report"),
        Access("projects:report_list", OWN_OFFICERS),
        Access("projects:report_list", OWN_OFFICERS, params={"query": {"page": "4611686018427387905"}}),
        Access("projects:report_detail", OWN_OFFICERS, obj="report"),
        Access("projects:report_action", OWN_OFFICERS, obj="report", method="POST", params={"action": "submit"}),
        Access(
            "projects:report_action",
            OWN_OFFICERS,
            obj="report",
            method="POST",
            params={"action": "evidence"},
            body=_evidence_body,
        ),
        Access(
            "projects:report_action",
            OWN_PLANNERS,
            obj="report",
            method="POST",
            params={"action": "return"},
            body={"comment": "보완 바랍니다"},
        ),
        Access(
            "projects:report_action",
            OWN_PLANNERS,
            obj="report",
            method="POST",
            params={"action": "approve"},
            body={"comment": "확인"},
        ),
        Access("projects:evidence_download", OWN_OFFICERS, obj="evidence"),
        # the API
        Access("api:GET /plan/pledges", ANYONE),
        Access("api:GET /plan/pledges/{project_id}/card", ANYONE, obj="pledge"),
        Access("api:GET /plan/pledges/{project_id}/card", OWN_OFFICERS, obj="internal_pledge"),
        Access(
            "api:POST /plan/cards/parse",
            ANYONE,
            method="POST",
            body={"text": "관리번호\t9-9\n\n시험 공약\n\n【추진실적】\n- 2024. 1. : 시작\n"},
        ),
        Access(
            "api:POST /plan/pledges/{project_id}/reports",
            OWN_OFFICERS,
            obj="pledge",
            method="POST",
            body={"year": 2025, "quarter": 1, "percent": "30", "summary": "점검"},
        ),
        Access("api:GET /plan/reports", OWN_OFFICERS),
        *(
            Access(
                "api:POST /plan/reports/{report_id}/{action}",
                OWN_OFFICERS if action == "submit" else OWN_PLANNERS,
                obj="report",
                method="POST",
                params={"action": action},
                body={"comment": "확인"},
            )
            for action in ("submit", "return", "approve")
        ),
    ],
)


# --- dashboard panels ------------------------------------------------------------------------------


def _plan_progress(viewer, cx):
    from django.urls import reverse
    from django.utils import timezone

    from techvalley.core.spine import Figure
    from techvalley.projects import selectors

    rows = selectors.pledge_rows(viewer, cx, public_only=True)
    figures = []
    for r in rows:
        if r.actual is None:
            continue
        planned = _("planned %(p)s%%") % {"p": r.planned} if r.planned is not None else ""
        figures.append(
            Figure(
                key=f"pledge-{r.project.pk}",
                label=f"{r.project.management_no} {r.project.title}",
                value=r.actual,
                unit="%",
                source=_("Management card %(no)s (approved quarterly reports)") % {"no": r.project.management_no},
                as_of=timezone.localtime(r.project.updated_at).date() if r.project.updated_at else timezone.localdate(),
                url=reverse("projects:pledge_public", args=[r.project.pk]),
                note=planned,
            )
        )
    return figures


def _officer_todo(viewer, cx):
    from django.urls import reverse
    from django.utils import timezone

    from techvalley.core.spine import Figure
    from techvalley.projects import selectors
    from techvalley.projects.models import ProgressReport

    rows = selectors.pledge_rows(viewer, cx)
    behind = [r for r in rows if r.behind]
    waiting = selectors.reports(viewer, cx, ProgressReport.State.SUBMITTED).count()
    today = timezone.localdate()
    return [
        Figure(
            key="pledges-behind",
            label=_("Pledges behind plan"),
            value=len(behind),
            unit=_("pledges"),
            source=_("Yearly plans of the management cards"),
            as_of=today,
            url=reverse("projects:dashboard"),
            note=", ".join(r.project.management_no for r in behind),
        ),
        Figure(
            key="reports-waiting",
            label=_("Reports waiting for approval"),
            value=waiting,
            unit=_("reports"),
            source=_("Quarterly reports"),
            as_of=today,
            url=reverse("projects:report_list") + "?state=submitted",
        ),
    ]


def _is_plan_officer(viewer, cx) -> bool:
    from techvalley.projects import permissions

    return permissions.can_view_plan(viewer, cx)


spine.panel(
    spine.Panel("plan_progress", _("Plan progress"), _plan_progress, order=40, audiences=frozenset({"complex"})),
    spine.Panel(
        "plan_todo",
        _("Plan: to act on"),
        _officer_todo,
        visible=_is_plan_officer,
        order=40,
        audiences=frozenset({"officer"}),
    ),
)


# --- records other records may link to ---------------------------------------------------------


def _project_candidates(cx, query: str):
    from techvalley.projects.models import Project

    qs = Project.objects.filter(complex=cx).order_by("management_no", "order", "id")
    return qs.filter(title__icontains=query) if query else qs


def _project_url(project) -> str:
    from django.urls import reverse

    if project.kind == "pledge" and project.public:
        return reverse("projects:pledge_public", args=[project.pk])
    return reverse("projects:card_page", args=[project.pk])


def _project_is_public(project) -> bool:
    return project.kind == "pledge" and project.public


def _project_title(project) -> str:
    return f"{project.management_no} {project.title}".strip() if project.management_no else project.title


spine.linkable(
    spine.LinkableType(
        key="projects.project",
        label=_("Pledge or sub-project"),
        model="projects.Project",
        candidates=_project_candidates,
        url=_project_url,
        is_public=_project_is_public,
        title=_project_title,
    )
)


def _demo(summary: dict, options: dict) -> dict:
    from techvalley.core.models import Complex
    from techvalley.projects.demo import load_plan_demo

    return {"plan": load_plan_demo(Complex.objects.get(slug=summary["complex"]))}


spine.demo_step(spine.DemoStep("plan", "pledge 3-1 with sub-projects", _demo, order=20))


# --- what plan tracking does at another app's request -----------------------------------------


def _promote_to_subproject(actor, complex, *, parent, title, description: str = "", budget_krw=None, reason: str = ""):
    """Action ``projects.subproject``: create a plan sub-project (세부사업), e.g. from a survey's
    candidate project. Returns the new ``projects.Project`` (kind "subproject").

    ``actor``: the person asking (a ``core.scoping.Viewer``, or a user); they must be an officer
    of ``complex`` (``PermissionDenied`` otherwise). Payload: ``parent`` — the id of the plan
    heading it goes under, a pledge or a sub-project of ``complex`` (the linkable type
    ``projects.project`` lists them); ``title`` (required, ≤ 300 characters); ``description``
    (≤ 5,000 characters, one 사업개요 item a line); ``budget_krw`` — the budget in KRW, a whole
    number ≥ 0, or None; ``reason`` — kept in the card's history. Bad input raises ``BadInput``
    (field named); the sub-project is created through ``services.create_subproject`` (audited).
    """
    from django.core.exceptions import PermissionDenied

    from techvalley.core.scoping import Viewer, viewer_for
    from techvalley.core.validation import BadInput, int_param
    from techvalley.projects import permissions, services
    from techvalley.projects.models import Project

    viewer = actor if isinstance(actor, Viewer) else viewer_for(actor)
    parent_pk = int_param(parent, "parent", lo=1)
    heading = Project.objects.filter(pk=parent_pk, complex=complex).first() if parent_pk else None
    if heading is None:
        raise BadInput(
            "세부사업을 둘 계획 항목(공약 또는 세부사업)을 고르세요. / choose the pledge or sub-project it goes under.",
            field="parent",
        )
    if not permissions.can_edit_project(viewer, heading):
        raise PermissionDenied("구청 담당자만 세부사업을 만들 수 있습니다. / Only district officers add sub-projects.")
    return services.create_subproject(heading, title, description=description, budget_krw=budget_krw, reason=reason)


spine.action(
    spine.Action(
        "projects.subproject",
        _("Promote to plan sub-project"),
        _promote_to_subproject,
        visible=lambda viewer: viewer.is_officer,
    )
)


# --- open data ---------------------------------------------------------------------------------


def _plan_rows(cx):
    from techvalley.projects import opendata

    return opendata.rows(cx)


def _plan_updated(cx):
    from techvalley.projects import opendata

    return opendata.updated(cx)


def _plan_columns():
    from techvalley.projects.opendata import COLUMNS

    return COLUMNS


spine.dataset(
    spine.Dataset(
        "projects.plan_progress",
        _("Plan progress (공약 추진현황)"),
        _(
            "The published pledges of the complex and their sub-projects and tasks, one row a heading and year: "
            "the yearly target, the achievements recorded that year, the budget ledger's planned, secured and "
            "spent amounts (all sources) and the progress today. Public records only; departments without "
            "contact persons."
        ),
        _plan_columns(),
        _plan_rows,
        _plan_updated,
        source=_("Management cards and approved quarterly reports of the district (plan tracking)"),
        order=40,
    )
)
