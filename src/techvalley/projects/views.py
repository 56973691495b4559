"""Plan-tracking pages: public pledge pages, the officer dashboard, the card, reports.

Views check permission with the predicates of ``permissions.py`` and change data only through
``services``; they read through ``selectors``, which take the viewer.
"""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput, page_param
from techvalley.core.views import current_complex, render_page
from techvalley.projects import communication, documents, permissions, selectors, services
from techvalley.projects.card import CardParseError, render_text
from techvalley.projects.forms import (
    AchievementFormSet,
    BudgetLineForm,
    CardUploadForm,
    CommunicationSourceForm,
    EvidenceForm,
    OverrideForm,
    ProjectForm,
    ReportForm,
    ReviewForm,
    SubprojectForm,
)
from techvalley.projects.models import Evidence, ProgressReport, Project
from techvalley.projects.templatetags.plan import in_language

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "hwpx": "application/hwp+zip",
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
REPORTS_PER_PAGE = 50


def _deny() -> PermissionDenied:
    return PermissionDenied(_("Only the district officers of this complex may do this."))


def _check(allowed: bool) -> None:
    if not allowed:
        raise _deny()


def _project(request, pk: int, predicate) -> tuple[Project, object]:
    project = get_object_or_404(Project.objects.select_related("complex", "parent"), pk=pk)
    viewer = viewer_for(request.user)
    _check(predicate(viewer, project))
    return project, viewer


def _report(request, pk: int, predicate=permissions.can_view_report) -> tuple[ProgressReport, object]:
    report = get_object_or_404(ProgressReport.objects.select_related("project", "created_by", "reviewed_by"), pk=pk)
    viewer = viewer_for(request.user)
    _check(predicate(viewer, report))
    return report, viewer


def _plan_complex(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    _check(permissions.can_view_plan(viewer, cx))
    return cx, viewer


def _public_pledge(pk: int) -> Project:
    project = Project.objects.filter(pk=pk, public=True, kind=Project.Kind.PLEDGE).first()
    if project is None:
        raise Http404(_("No such pledge."))
    return project


def pledge_list(request):
    cx = current_complex(request)
    rows = selectors.pledge_rows(viewer_for(request.user), cx, public_only=True)
    context = {"complex": cx, "rows": rows, "today": timezone.localdate()}
    return render_page(request, "projects/pledge_list.html", context)


def public_view_url(project: Project) -> str | None:
    """Where the public sees this project: its own page for a pledge, its pledge's page at the
    sub-project's row for a sub-project or task; None when it or any project above it is internal."""
    chain = [project]
    seen = {project.pk}
    while chain[-1].parent_id is not None and chain[-1].parent_id not in seen:
        parent = Project.objects.filter(pk=chain[-1].parent_id).first()
        if parent is None:
            return None
        seen.add(parent.pk)
        chain.append(parent)
    root = chain[-1]
    if root.parent_id is not None or root.kind != Project.Kind.PLEDGE or not all(p.public for p in chain):
        return None
    url = reverse("projects:pledge_public", args=[root.pk])
    return url if root.pk == project.pk else f"{url}#project-{project.pk}"


def _public_tree(viewer, project: Project) -> list[tuple[int, Project, float | None]]:
    """The pledge's sub-projects and tasks on the public page: public ones under public parents only."""
    out = []
    hidden_depth = None
    for depth, p, pct in selectors.project_tree(viewer, project)[1:]:
        if hidden_depth is not None and depth > hidden_depth:
            continue
        hidden_depth = None
        if not p.public:
            hidden_depth = depth
            continue
        out.append((depth - 1, p, pct))
    return out


def pledge_public(request, pk: int):
    project = _public_pledge(pk)
    viewer = viewer_for(request.user)
    card, shown = communication.card_as_shown(project, public=True)
    row = next(r for r in selectors.pledge_rows(viewer, project.complex, public_only=True) if r.project.pk == pk)
    context = {
        "project": project,
        "row": row,
        "card": card,
        "timeline": documents.card_context(card)["achievement_groups"],
        "linked": selectors.achievement_links(viewer, project, public_only=True),
        "communication": documents.card_context(card, communication=shown),
        "subprojects": _public_tree(viewer, project),
        "today": timezone.localdate(),
    }
    return render_page(request, "projects/pledge_public.html", context)


def card_download(request, pk: int, fmt: str):
    """The card as a file. Officers of the complex get it with contacts; everyone else the public one."""
    if fmt not in CONTENT_TYPES:
        raise Http404(_("Unknown format."))
    project = get_object_or_404(Project, pk=pk)
    viewer = viewer_for(request.user)
    internal = permissions.can_view_internal_card(viewer, project) and request.GET.get("public") != "1"
    if not internal and not project.public:
        raise Http404(_("No such pledge."))
    public = not internal
    card, shown = communication.card_as_shown(project, public=public)
    if fmt == "pdf":
        body = documents.render_pdf(card, public=public, communication=shown)
    elif fmt == "hwpx":
        body = documents.render_hwpx(card, public=public, communication=shown)
    elif fmt == "txt":
        body = render_text(card).encode("utf-8")
    else:
        body = documents.render_html(card, public=public, communication=shown).encode("utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"card-{project.management_no or project.pk}{'' if internal else '-public'}.{fmt}"
    response["Content-Disposition"] = f'{"inline" if fmt in ("pdf", "html") else "attachment"}; filename="{filename}"'
    return response


def dashboard(request):
    cx, viewer = _plan_complex(request)
    rows = selectors.pledge_rows(viewer, cx)
    context = {
        "complex": cx,
        "rows": rows,
        "behind": [r for r in rows if r.behind],
        "overdue": [(r.project, f) for r in rows for f in r.overdue],
        "upcoming": sorted(((r.project, f) for r in rows for f in r.upcoming), key=lambda x: x[1].due)[:10],
        "waiting": selectors.reports(viewer, cx, ProgressReport.State.SUBMITTED).count(),
        "can_import": permissions.can_import_card(viewer, cx),
    }
    return render_page(request, "projects/dashboard.html", context)


def export_xlsx(request):
    cx, viewer = _plan_complex(request)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="pledges-{cx.slug}-{timezone.localdate():%Y%m%d}.xlsx"'
    rows = selectors.pledge_rows(viewer, cx)
    shown = communication.shown_for_many([r.project for r in rows], cx)
    documents.render_xlsx_summary(rows, response, shown)
    return response


def card_page(request, pk: int):
    project, viewer = _project(request, pk, permissions.can_view_internal_card)
    card, shown = communication.card_as_shown(project)
    rows = [r for r in selectors.pledge_rows(viewer, project.complex) if r.project.pk == project.pk]
    ledger = selectors.budget_ledger(viewer, project)
    context = {
        "project": project,
        "row": rows[0] if rows else None,
        "card_html": documents.render_html(card, standalone=False, communication=shown),
        "communication": shown,
        "communication_form": CommunicationSourceForm(initial={"source": project.communication_source}),
        "tree": selectors.project_tree(viewer, project),
        "ledger": ledger,
        "reconciliation": selectors.budget_reconciliation(project, ledger),
        "reports": project.reports.select_related("created_by", "reviewed_by"),
        "versions": project.versions.all()[:10],
        "override_form": OverrideForm(
            initial={"percent": project.progress_override, "reason": in_language(project.override_reason)}
        ),
        "budget_form": BudgetLineForm(initial={"year": timezone.localdate().year}),
        "subproject_form": SubprojectForm(),
        "can_edit": permissions.can_edit_project(viewer, project),
        "can_publish": permissions.can_publish_project(viewer, project),
        "can_report": permissions.can_draft_report(viewer, project),
        "linked": selectors.achievement_links(viewer, project),
        "public_url": public_view_url(project),
    }
    return render_page(request, "projects/card_page.html", context)


def edit_project(request, pk: int):
    """The card's fields; progress is not among them (reports, or set by hand with a reason)."""
    project, _viewer = _project(request, pk, permissions.can_edit_project)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data}
        # The form filled the instance while validating; compare against what is stored.
        project.refresh_from_db()
        services.update_project(project, changes, reason=form.cleaned_data.get("reason", ""))
        messages.success(request, _("Saved."))
        return redirect("projects:card_page", pk=pk)
    return render_page(request, "projects/edit.html", {"project": project, "form": form})


@require_POST
def set_override(request, pk: int):
    project, _viewer = _project(request, pk, permissions.can_edit_project)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.set_progress_override(project, form.cleaned_data["percent"], form.cleaned_data["reason"])
            messages.success(request, _("Saved."))
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Check the values."))
    return redirect("projects:card_page", pk=pk)


@require_POST
def set_communication_source(request, pk: int):
    """Show the counts of the communication records on the card, or keep the card's own figures."""
    project, _viewer = _project(request, pk, permissions.can_edit_project)
    form = CommunicationSourceForm(request.POST)
    if not form.is_valid():
        raise BadInput(
            "구민소통 실적의 출처를 고르세요 (기록 또는 카드 기재값). / choose where the counts come from.",
            field="source",
        )
    services.set_communication_source(project, form.cleaned_data["source"])
    messages.success(request, _("Saved."))
    return redirect("projects:card_page", pk=pk)


@require_POST
def publish(request, pk: int):
    """Show the pledge on the public pages (or take it off): a card imported on the web starts internal."""
    project, _viewer = _project(request, pk, permissions.can_publish_project)
    public = request.POST.get("public") == "1"
    services.publish_project(project, public)
    messages.success(request, _("Published on the public pages.") if public else _("Taken off the public pages."))
    return redirect("projects:card_page", pk=pk)


@require_POST
def add_budget_line(request, pk: int):
    project, _viewer = _project(request, pk, permissions.can_edit_project)
    form = BudgetLineForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.set_budget_line(
                project,
                d["year"],
                d["source"],
                planned=d["planned"],
                secured=d["secured"],
                spent=d["spent"],
                note=d["note"],
            )
            messages.success(request, _("Budget line saved."))
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "; ".join(f"{form[k].label}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("projects:card_page", pk=pk)


@require_POST
def add_subproject(request, pk: int):
    project, _viewer = _project(request, pk, permissions.can_edit_project)
    form = SubprojectForm(request.POST)
    if form.is_valid():
        child = services.add_subproject(
            project, form.cleaned_data["title"], kind=form.cleaned_data["kind"], weight=form.cleaned_data["weight"]
        )
        messages.success(request, _("Added: %(title)s") % {"title": child.title})
    else:
        messages.error(request, _("Check the values."))
    return redirect("projects:card_page", pk=pk)


def report_form(request, pk: int, report_pk: int | None = None):
    """Draft a quarterly report, or revise a draft or a returned one."""
    project, viewer = _project(request, pk, permissions.can_draft_report)
    report = get_object_or_404(ProgressReport, pk=report_pk, project=project) if report_pk else None
    if report is not None and not permissions.can_edit_report(viewer, report):
        messages.error(request, _("This report can no longer be changed."))
        return redirect("projects:report_detail", pk=report.pk)
    today = timezone.localdate()
    initial = (
        {"year": report.year, "quarter": report.quarter, "percent": report.percent, "summary": report.summary}
        if report
        else {"year": today.year, "quarter": (today.month - 1) // 3 + 1}
    )
    form = ReportForm(request.POST or None, initial=initial)
    existing = [{**a, "end": a["end"] or ""} for a in (report.new_achievements if report else [])]
    formset = AchievementFormSet(request.POST or None, initial=existing, prefix="ach")
    status = 200
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [f.cleaned_data for f in formset if f.cleaned_data.get("text")]
        try:
            saved = services.draft_report(
                project,
                form.cleaned_data["year"],
                form.cleaned_data["quarter"],
                form.cleaned_data["percent"],
                summary=form.cleaned_data["summary"],
                new_achievements=items,
                user=request.user,
            )
            messages.success(request, _("Report saved as a draft."))
            return redirect("projects:report_detail", pk=saved.pk)
        except services.WorkflowError as exc:
            messages.error(request, str(exc))
        except BadInput as exc:
            form.add_error(None, exc.message)
            status = exc.status
    headings = sorted({a.heading for a in project.achievements.all() if a.heading})
    response = render_page(
        request,
        "projects/report_form.html",
        {"project": project, "form": form, "formset": formset, "report": report, "headings": headings},
    )
    response.status_code = status
    return response


def report_list(request):
    cx, viewer = _plan_complex(request)
    state = request.GET.get("state", "")
    if state not in dict(ProgressReport.State.choices):
        state = ""
    reports = selectors.reports(viewer, cx, state)
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(page_param(request.GET.get("page")))
    return render_page(
        request,
        "projects/report_list.html",
        {
            "complex": cx,
            "page": page,
            "reports": page.object_list,
            "state": state,
            "states": ProgressReport.State.choices,
        },
    )


def report_detail(request, pk: int):
    report, viewer = _report(request, pk)
    return render_page(
        request,
        "projects/report_detail.html",
        {
            "report": report,
            "evidence": selectors.evidence(viewer, report),
            "review_form": ReviewForm(),
            "evidence_form": EvidenceForm(),
            "can_edit": permissions.can_edit_report(viewer, report),
            "can_upload": permissions.can_upload_evidence(viewer, report),
            "can_approve": permissions.can_approve_report(viewer, report),
        },
    )


@require_POST
def report_action(request, pk: int, action: str):
    report, viewer = _report(request, pk)
    if action not in ("submit", "approve", "return", "evidence"):
        raise Http404(_("Unknown action."))
    if action in ("approve", "return") and not permissions.can_approve_report(viewer, report):
        raise PermissionDenied(_("Only the planning office approves or returns reports."))
    form = ReviewForm(request.POST)
    comment = form.data.get("comment", "")
    try:
        if action == "submit":
            services.submit_report(report, request.user)
            messages.success(request, _("Submitted to the planning office."))
        elif action == "approve":
            services.approve_report(report, request.user, comment)
            messages.success(request, _("Approved: the card was updated."))
        elif action == "return":
            services.return_report(report, request.user, comment)
            messages.success(request, _("Returned to the department."))
        else:
            ev = EvidenceForm(request.POST, request.FILES)
            if not ev.is_valid():
                raise services.WorkflowError(_("Choose a file."))
            services.attach_evidence(report, ev.cleaned_data["file"], request.user, ev.cleaned_data["name"])
            messages.success(request, _("Evidence attached."))
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("projects:report_detail", pk=pk)


def evidence_download(request, pk: int):
    """An evidence file, for those who may see its report, always as a download with the type
    chosen from its extension at upload (never the browser's guess: no page, no script)."""
    evidence = get_object_or_404(Evidence.objects.select_related("report__project"), pk=pk)
    _check(permissions.can_view_evidence(viewer_for(request.user), evidence))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    filename = Path(evidence.file.name).name
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def card_import(request):
    cx, viewer = _plan_complex(request)
    _check(permissions.can_import_card(viewer, cx))
    form = CardUploadForm(request.POST or None, request.FILES or None)
    unplaced = project = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            project, created, parsed = services.import_card_upload(upload, cx)
            unplaced = parsed.unplaced
            messages.success(
                request,
                (_("Created %(no)s. It is internal until you publish it.") if created else _("Updated %(no)s."))
                % {"no": project.management_no},
            )
            if not unplaced:
                return redirect("projects:card_page", pk=project.pk)
        except (CardParseError, services.WorkflowError) as exc:
            form.add_error("file", str(exc))
            status = 400
        except BadInput as exc:
            form.add_error("file", exc.message)
            status = exc.status
    context = {"complex": cx, "form": form, "unplaced": unplaced, "project": project}
    response = render_page(request, "projects/card_import.html", context)
    response.status_code = status
    return response
