"""Plan-tracking pages: public pledge pages, the officer dashboard, the card, reports."""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techvalley.core.scoping import viewer_for
from techvalley.core.views import current_complex, officer_or_403, render_page
from techvalley.projects import documents, selectors, services
from techvalley.projects.card import CardParseError, render_text
from techvalley.projects.forms import (
    AchievementFormSet,
    BudgetLineForm,
    CardUploadForm,
    EvidenceForm,
    OverrideForm,
    ProjectForm,
    ReportForm,
    ReviewForm,
    SubprojectForm,
)
from techvalley.projects.models import ProgressReport, Project

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "hwpx": "application/hwp+zip",
    "txt": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def _public_pledge(pk: int) -> Project:
    project = Project.objects.filter(pk=pk, public=True, kind=Project.Kind.PLEDGE).first()
    if project is None:
        raise Http404(_("No such pledge."))
    return project


def pledge_list(request):
    cx = current_complex(request)
    rows = selectors.pledge_rows(cx, public_only=True)
    return render_page(request, "projects/pledge_list.html", {"complex": cx, "rows": rows})


def pledge_public(request, pk: int):
    project = _public_pledge(pk)
    card = services.card_of(project, public=True)
    row = next(r for r in selectors.pledge_rows(project.complex, public_only=True) if r.project.pk == pk)
    context = {
        "project": project,
        "row": row,
        "card": card,
        "timeline": documents.card_context(card)["achievement_groups"],
    }
    return render_page(request, "projects/pledge_public.html", context)


def card_download(request, pk: int, fmt: str):
    """The card as a file. Officers of the complex get it with contacts; everyone else the public one."""
    project = get_object_or_404(Project, pk=pk)
    internal = viewer_for(request.user).is_officer_of(project.complex_id) and request.GET.get("public") != "1"
    if not internal and not project.public:
        raise Http404(_("No such pledge."))
    card = services.card_of(project, public=not internal)
    if fmt == "pdf":
        body = documents.render_pdf(card, public=not internal)
    elif fmt == "hwpx":
        body = documents.render_hwpx(card, public=not internal)
    elif fmt == "txt":
        body = render_text(card).encode("utf-8")
    elif fmt == "html":
        body = documents.render_html(card, public=not internal).encode("utf-8")
    else:
        raise Http404(_("Unknown format."))
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"card-{project.management_no or project.pk}{'' if internal else '-public'}.{fmt}"
    response["Content-Disposition"] = f'{"inline" if fmt in ("pdf", "html") else "attachment"}; filename="{filename}"'
    return response


def dashboard(request):
    cx = current_complex(request)
    viewer = officer_or_403(request, cx)
    rows = selectors.pledge_rows(cx)
    context = {
        "complex": cx,
        "rows": rows,
        "behind": [r for r in rows if r.behind],
        "overdue": [(r.project, f) for r in rows for f in r.overdue],
        "upcoming": sorted(((r.project, f) for r in rows for f in r.upcoming), key=lambda x: x[1].due)[:10],
        "waiting": selectors.reports(viewer, cx, ProgressReport.State.SUBMITTED).count(),
        "is_planner": viewer.is_planner_of(cx.pk),
    }
    return render_page(request, "projects/dashboard.html", context)


def export_xlsx(request):
    cx = current_complex(request)
    officer_or_403(request, cx)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="pledges-{cx.slug}-{timezone.localdate():%Y%m%d}.xlsx"'
    documents.render_xlsx_summary(selectors.pledge_rows(cx), response)
    return response


def card_page(request, pk: int):
    project = get_object_or_404(Project.objects.select_related("complex", "parent"), pk=pk)
    viewer = officer_or_403(request, project.complex)
    card = services.card_of(project)
    context = {
        "project": project,
        "card_html": documents.render_html(card, standalone=False),
        "tree": selectors.project_tree(project),
        "ledger": selectors.budget_ledger(project),
        "reports": project.reports.select_related("created_by", "reviewed_by"),
        "versions": project.versions.all()[:10],
        "override_form": OverrideForm(
            initial={"percent": project.progress_override, "reason": project.override_reason}
        ),
        "budget_form": BudgetLineForm(initial={"year": timezone.localdate().year}),
        "subproject_form": SubprojectForm(),
        "is_planner": viewer.is_planner_of(project.complex_id),
    }
    return render_page(request, "projects/card_page.html", context)


def edit_project(request, pk: int):
    project = get_object_or_404(Project, pk=pk)
    officer_or_403(request, project.complex)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("projects:card_page", pk=pk)
    return render_page(request, "projects/edit.html", {"project": project, "form": form})


@require_POST
def set_override(request, pk: int):
    project = get_object_or_404(Project, pk=pk)
    officer_or_403(request, project.complex)
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
def add_budget_line(request, pk: int):
    project = get_object_or_404(Project, pk=pk)
    officer_or_403(request, project.complex)
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
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("projects:card_page", pk=pk)


@require_POST
def add_subproject(request, pk: int):
    project = get_object_or_404(Project, pk=pk)
    officer_or_403(request, project.complex)
    form = SubprojectForm(request.POST)
    if form.is_valid():
        child = services.add_subproject(
            project, form.cleaned_data["title"], kind=form.cleaned_data["kind"], weight=form.cleaned_data["weight"]
        )
        messages.success(request, _("Added: %(title)s") % {"title": child.title})
    return redirect("projects:card_page", pk=pk)


def report_form(request, pk: int, report_pk: int | None = None):
    """Draft a quarterly report, or revise a draft or a returned one."""
    project = get_object_or_404(Project, pk=pk)
    officer_or_403(request, project.complex)
    report = get_object_or_404(ProgressReport, pk=report_pk, project=project) if report_pk else None
    today = timezone.localdate()
    initial = (
        {"year": report.year, "quarter": report.quarter, "percent": report.percent, "summary": report.summary}
        if report
        else {"year": today.year, "quarter": (today.month - 1) // 3 + 1}
    )
    form = ReportForm(request.POST or None, initial=initial)
    existing = [{**a, "end": a["end"] or ""} for a in (report.new_achievements if report else [])]
    formset = AchievementFormSet(request.POST or None, initial=existing, prefix="ach")
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
    headings = sorted({a.heading for a in project.achievements.all() if a.heading})
    return render_page(
        request,
        "projects/report_form.html",
        {"project": project, "form": form, "formset": formset, "report": report, "headings": headings},
    )


def report_list(request):
    cx = current_complex(request)
    viewer = officer_or_403(request, cx)
    state = request.GET.get("state", "")
    return render_page(
        request,
        "projects/report_list.html",
        {
            "complex": cx,
            "reports": selectors.reports(viewer, cx, state),
            "state": state,
            "states": ProgressReport.State.choices,
        },
    )


def report_detail(request, pk: int):
    report = get_object_or_404(ProgressReport.objects.select_related("project", "created_by", "reviewed_by"), pk=pk)
    viewer = officer_or_403(request, report.project.complex)
    return render_page(
        request,
        "projects/report_detail.html",
        {
            "report": report,
            "evidence": report.evidence.all(),
            "review_form": ReviewForm(),
            "evidence_form": EvidenceForm(),
            "is_planner": viewer.is_planner_of(report.project.complex_id),
        },
    )


@require_POST
def report_action(request, pk: int, action: str):
    report = get_object_or_404(ProgressReport.objects.select_related("project"), pk=pk)
    viewer = officer_or_403(request, report.project.complex)
    form = ReviewForm(request.POST)
    comment = form.data.get("comment", "")
    try:
        if action == "submit":
            services.submit_report(report, request.user)
            messages.success(request, _("Submitted to the planning office."))
        elif action in ("approve", "return"):
            if not viewer.is_planner_of(report.project.complex_id):
                raise PermissionDenied(_("Only the planning office approves or returns reports."))
            if action == "approve":
                services.approve_report(report, request.user, comment)
                messages.success(request, _("Approved: the card was updated."))
            else:
                services.return_report(report, request.user, comment)
                messages.success(request, _("Returned to the department."))
        elif action == "evidence":
            ev = EvidenceForm(request.POST, request.FILES)
            if not ev.is_valid():
                raise services.WorkflowError(_("Choose a file."))
            services.attach_evidence(report, ev.cleaned_data["file"], request.user, ev.cleaned_data["name"])
            messages.success(request, _("Evidence attached."))
        else:
            raise Http404
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("projects:report_detail", pk=pk)


def card_import(request):
    cx = current_complex(request)
    officer_or_403(request, cx)
    form = CardUploadForm(request.POST or None, request.FILES or None)
    unplaced = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            from techvalley.projects.card import parse_card

            parsed = parse_card(upload.read().decode("utf-8-sig"))
            project, created = services.import_card(parsed.card, cx, reason=f"card upload {Path(upload.name).name}")
            unplaced = parsed.unplaced
            messages.success(
                request, (_("Created %(no)s.") if created else _("Updated %(no)s.")) % {"no": project.management_no}
            )
            if not unplaced:
                return redirect("projects:card_page", pk=project.pk)
        except UnicodeDecodeError:
            form.add_error("file", _("The card must be a UTF-8 text file."))
        except (CardParseError, services.WorkflowError) as exc:
            form.add_error("file", str(exc))
    return render_page(request, "projects/card_import.html", {"complex": cx, "form": form, "unplaced": unplaced})
