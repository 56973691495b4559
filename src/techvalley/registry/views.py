"""Registry pages: directory, company page and profile, review queue, imports, structure."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techvalley.core.scoping import viewer_for
from techvalley.core.views import current_complex, officer_or_403, page_of, render_page
from techvalley.registry import exports, ksic, selectors, services
from techvalley.registry.forms import ImportForm, IndustryForm, ProfileForm
from techvalley.registry.models import Company, SizeClass
from techvalley.registry.parsers import RegistryFileError

FILTERS = ("q", "intensity", "dong", "division", "size")


def company_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    filters = {k: request.GET.get(k, "").strip() for k in FILTERS}
    qs = selectors.companies(viewer, cx, **filters, include_gone=request.GET.get("gone") == "1")
    context = {
        "complex": cx,
        "page": page_of(request, qs),
        "filters": filters,
        "intensities": ksic.INTENSITY_LABELS,
        "sizes": SizeClass.choices,
        "dongs": cx.legal_dongs,
    }
    return render_page(request, "registry/company_list.html", context, partial="registry/_company_rows.html")


def company_export(request):
    """The directory as it is filtered, as an Excel file (contacts masked)."""
    cx = current_complex(request)
    filters = {k: request.GET.get(k, "").strip() for k in FILTERS}
    qs = selectors.companies(viewer_for(request.user), cx, **filters, include_gone=request.GET.get("gone") == "1")
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"companies-{cx.slug}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    exports.write_xlsx(qs, response)
    return response


def company_detail(request, pk: int):
    viewer = viewer_for(request.user)
    company = selectors.company(viewer, pk)
    if company is None:
        raise Http404(_("No such company."))
    context = {
        "company": company,
        "private": selectors.company_private(viewer, company),
        "industry": ksic.describe(company.ksic_code, company.ksic_revision) if company.ksic_code else None,
        "sites": company.sites.all(),
        "history": selectors.company_history(viewer, company)[:20],
        "can_manage": viewer.can_manage(company.organisation_id, company.complex_id),
        "is_officer": viewer.is_officer_of(company.complex_id),
        "intensity_source": ksic.INTENSITY_SOURCE,
    }
    return render_page(request, "registry/company_detail.html", context)


@login_required
def company_edit(request, pk: int):
    company = Company.objects.filter(pk=pk).first()
    if company is None:
        raise Http404(_("No such company."))
    if not viewer_for(request.user).can_manage(company.organisation_id, company.complex_id):
        raise PermissionDenied(_("Only the company's managers and district officers may edit it."))
    form = ProfileForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.changed_data}
        services.update_company_profile(Company.objects.get(pk=pk), **values)
        messages.success(request, _("Saved."))
        return redirect("registry:company_detail", pk=pk)
    return render_page(request, "registry/company_edit.html", {"company": company, "form": form})


def review_queue(request):
    cx = current_complex(request)
    viewer = officer_or_403(request, cx)
    page = page_of(request, selectors.review_queue(viewer, cx))
    for c in page:
        c.resolution = ksic.resolve(c.industry_name)
        c.suggested = ksic.lookup(c.resolution.suggestion) if c.resolution.suggestion else None
    return render_page(request, "registry/review_queue.html", {"complex": cx, "page": page})


@require_POST
def place_industry(request, pk: int):
    company = Company.objects.select_related("complex").filter(pk=pk).first()
    if company is None:
        raise Http404(_("No such company."))
    officer_or_403(request, company.complex)
    form = IndustryForm(request.POST)
    if form.is_valid():
        try:
            services.set_industry(company, form.cleaned_data["code"], reason=form.cleaned_data["reason"])
            messages.success(
                request, _("%(name)s: industry set to %(code)s.") % {"name": company.name, "code": company.ksic_code}
            )
        except ValueError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Enter a KSIC code."))
    return redirect("registry:review_queue")


def import_list(request):
    cx = current_complex(request)
    viewer = officer_or_403(request, cx)
    form = ImportForm(request.POST or None, request.FILES or None, initial={"dry_run": True})
    result, rejected = None, False
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(upload.name).name
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = services.import_registry(
                    path, cx, dry_run=form.cleaned_data["dry_run"], skip_invalid=form.cleaned_data["skip_invalid"]
                )
            except services.ImportRejected as exc:
                result, rejected = exc.result, True
            except RegistryFileError as exc:
                form.add_error("file", str(exc))
    context = {
        "complex": cx,
        "form": form,
        "result": result,
        "rejected": rejected,
        "runs": selectors.imports(viewer, cx)[:30],
    }
    return render_page(request, "registry/import_list.html", context)


def structure(request):
    cx = current_complex(request)
    data = selectors.structure(cx)
    total = data["total"]["companies"] or 1
    for row in data["division"]:
        row["label"] = selectors.label_division(row["key"])
    for dim in ("division", "intensity", "size", "dong"):
        for row in data[dim]:
            row["pct"] = round(100 * row["companies"] / total, 1)
    for row in data["intensity"]:
        row["label"] = ksic.INTENSITY_LABELS.get(row["key"], (row["key"], row["key"]))
    sizes = dict(SizeClass.choices)
    for row in data["size"]:
        row["label"] = sizes.get(row["key"], row["key"])
    viewer = viewer_for(request.user)
    change = None
    runs = list(selectors.imports(viewer, cx).only("id", "filename", "started_at", "structure")[:2])
    if len(runs) == 2:
        change = {
            "before": runs[1],
            "after": runs[0],
            "diff": selectors.structure_change(runs[1].structure, runs[0].structure),
        }
    context = {
        "complex": cx,
        "data": data,
        "change": change,
        "intensity_source": ksic.INTENSITY_SOURCE,
        "high_tech_pct": round(100 * data["high_tech_share"], 1),
    }
    return render_page(request, "registry/structure.html", context)
