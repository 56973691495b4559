"""Registry pages: directory, company page and profile, review queue, imports, structure.

Views check permission with the predicates of ``permissions.py`` and call selectors or services.
"""

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techvalley.core import spine
from techvalley.core.models import Complex
from techvalley.core.scoping import viewer_for
from techvalley.core.selectors import actor_label
from techvalley.core.validation import BadInput, check_size, clean_text, page_param, year_param
from techvalley.core.views import current_complex, render_page
from techvalley.registry import exports, ksic, labels, permissions, selectors, services
from techvalley.registry.forms import ContactForm, ImportForm, IndustryForm, ProfileForm
from techvalley.registry.models import Company, Contact, SizeClass
from techvalley.registry.parsers import RegistryFileError

FILTERS = ("q", "intensity", "dong", "division", "size")


def _filters(request) -> dict[str, str]:
    return {k: clean_text(request.GET.get(k, ""), k, max_length=200).strip() for k in FILTERS}


def _page(request, qs, per_page: int | None = None):
    """A page of a list; the page number is bounded (a huge number is a 400, not a crash)."""
    return Paginator(qs, per_page or settings.TECHVALLEY_PAGE_SIZE).get_page(page_param(request.GET.get("page")))


def company_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    filters = _filters(request)
    qs = selectors.companies(viewer, cx, **filters, include_gone=request.GET.get("gone") == "1")
    context = {
        "complex": cx,
        "page": _page(request, qs),
        "filters": filters,
        "intensities": ksic.INTENSITY_LABELS,
        "sizes": SizeClass.choices,
        "dongs": cx.legal_dongs,
    }
    return render_page(request, "registry/company_list.html", context, partial="registry/_company_rows.html")


def company_export(request):
    """The directory as it is filtered, as an Excel file (contacts masked, formulas neutralised)."""
    cx = current_complex(request)
    qs = selectors.companies(
        viewer_for(request.user), cx, **_filters(request), include_gone=request.GET.get("gone") == "1"
    )
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
        "history": selectors.readable_history(viewer, company, limit=20),
        "can_edit": permissions.can_edit_profile(viewer, company),
        "can_add_contact": permissions.can_edit_contacts(viewer, company),
        "can_review": permissions.can_review(viewer, company.complex),
        "intensity_source": ksic.intensity_source(get_language()),
        # what other apps offer on a company's page (e.g. the knowledge-industry-centre check)
        "related": spine.platform.related_for(company, viewer),
    }
    return render_page(request, "registry/company_detail.html", context)


@login_required
def company_edit(request, pk: int):
    company = Company.objects.filter(pk=pk).first()
    if company is None:
        raise Http404(_("No such company."))
    if not permissions.can_edit_profile(viewer_for(request.user), company):
        raise PermissionDenied(_("Only the company's managers and district officers may edit it."))
    form = ProfileForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in form.changed_data}
        services.update_company_profile(Company.objects.get(pk=pk), **values)
        messages.success(request, _("Saved."))
        return redirect("registry:company_detail", pk=pk)
    return render_page(request, "registry/company_edit.html", {"company": company, "form": form})


@login_required
def contact_add(request, pk: int):
    """Add a contact person with their consent (the company's managers; officers on its behalf)."""
    company = Company.objects.select_related("complex").filter(pk=pk).first()
    if company is None:
        raise Http404(_("No such company."))
    viewer = viewer_for(request.user)
    if not permissions.can_edit_contacts(viewer, company):
        raise PermissionDenied(_("Only the company's managers and district officers may add contacts."))
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_contact(
                    request.user, company, data, note=data["note"], retention_days=data["retention_days"]
                )
            except BadInput as exc:
                form.add_bad_input(exc)
            else:
                messages.success(request, _("Contact added with the person's consent."))
                return redirect(reverse("registry:company_detail", args=[pk]) + "#private")
        status = 400
    on_behalf = company.organisation_id not in viewer.org_ids
    context = {"company": company, "form": form, "on_behalf": on_behalf}
    response = render_page(request, "registry/contact_add.html", context)
    response.status_code = status
    return response


@require_POST
def contact_withdraw(request, pk: int):
    """Withdraw a contact person's consent: the contact is erased now (the person themself, the
    company's managers, officers)."""
    contact = Contact.objects.select_related("company").filter(pk=pk).first()
    if contact is None:
        raise Http404(_("No such contact."))
    if not request.user.is_authenticated or not permissions.can_withdraw_contact(viewer_for(request.user), contact):
        raise PermissionDenied(_("Only the person, the company's managers and district officers may do this."))
    company_id = contact.company_id
    services.withdraw_contact(request.user, contact)
    messages.success(request, _("Consent withdrawn: the contact was erased."))
    return redirect(reverse("registry:company_detail", args=[company_id]) + "#private")


def review_queue(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    if not permissions.can_review(viewer, cx):
        raise PermissionDenied(_("District officers only."))
    page = _page(request, selectors.review_queue(viewer, cx))
    for c in page:
        c.resolution = ksic.resolve(c.industry_name)
    context = {
        "complex": cx,
        "page": page,
        "accept_at": int(ksic.FUZZY_ACCEPT),
    }
    return render_page(request, "registry/review_queue.html", context)


@require_POST
def place_industry(request, pk: int):
    company = Company.objects.select_related("complex").filter(pk=pk).first()
    if company is None:
        raise Http404(_("No such company."))
    if not permissions.can_place_industry(viewer_for(request.user), company):
        raise PermissionDenied(_("District officers only."))
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
    viewer = viewer_for(request.user)
    if not permissions.can_import(viewer, cx):
        raise PermissionDenied(_("District officers only."))
    form = ImportForm(request.POST or None, request.FILES or None, initial={"dry_run": True})
    result, outcome = None, ""
    if request.method == "POST" and form.is_valid():
        result, outcome = _run_upload(form, cx)
    context = {
        "complex": cx,
        "form": form,
        "result": result,
        "outcome": outcome,
        "summary": labels.import_summary(result.counts) if result else [],
        "runs": [
            {
                "run": r,
                "format": labels.file_format(r.fmt),
                "who": actor_label(r.actor_label),
                "summary": labels.import_summary(r.counts),
            }
            for r in selectors.imports(viewer, cx)[:30]
        ],
    }
    return render_page(request, "registry/import_list.html", context)


def _run_upload(form: ImportForm, cx):
    """Run the uploaded file through the same import as the command line. The outcome:
    "rejected" (bad rows), "confirm" (too many removals: tick to confirm), "dry_run", "imported"."""
    upload = form.cleaned_data["file"]
    data = form.cleaned_data
    try:
        check_size(upload.size, services.limit("MAX_UPLOAD_BYTES", services.DEFAULT_MAX_UPLOAD_BYTES), upload.name)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(upload.name).name
            with open(path, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            result = services.import_registry(
                path,
                cx,
                dry_run=data["dry_run"],
                skip_invalid=data["skip_invalid"],
                snapshot=not data["partial"],
                allow_removals=data["allow_removals"],
            )
    except services.ImportRejected as exc:
        return exc.result, "rejected"
    except services.RemovalsNotConfirmed as exc:
        return exc.result, "confirm"
    except (RegistryFileError, BadInput) as exc:
        form.add_error("file", str(exc))
        return None, ""
    if result.needs_confirmation:
        return result, "confirm"
    return result, "dry_run" if result.dry_run else "imported"


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
    if permissions.can_compare_imports(viewer, cx):
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
        "intensity_source": ksic.intensity_source(get_language()),
        "high_tech_pct": selectors.share_pct(data, "high_tech_share"),
        "strict_high_tech_pct": selectors.share_pct(data, "strict_high_tech_share"),
        "as_of": selectors.registry_as_of(cx),
    }
    return render_page(request, "registry/structure.html", context)


# --- the complexes side by side -------------------------------------------------------------------

#: Complexes on a page of the comparison (a country has over 1,300).
COMPARE_PAGE_SIZE = 50
#: Bar chart geometry (SVG user units).
CHART_WIDTH, CHART_BAR, CHART_LABEL = 640, 18, 220


def _compare_year(request) -> int:
    return year_param(request.GET.get("year"), default=timezone.localdate().year - 1)


def complexes(request):
    """Every complex of the installation side by side: public aggregates, a chart, Excel."""
    from techvalley.registry import compare

    viewer = viewer_for(request.user)
    sort = compare.sort_param(request.GET.get("sort"))
    year = _compare_year(request)
    q = clean_text(request.GET.get("q", ""), "q", max_length=100).strip()
    qs = Complex.objects.all()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(slug__icontains=q) | Q(sigungu__icontains=q))
    items = compare.rows(viewer, sort, qs)
    page = Paginator(items, COMPARE_PAGE_SIZE).get_page(page_param(request.GET.get("page")))
    compare.add_metrics(page.object_list, year)
    top = max((r.companies for r in page.object_list), default=0) or 1
    chart = [
        {
            "row": r,
            "y": i * (CHART_BAR + 6),
            "ty": i * (CHART_BAR + 6) + CHART_BAR - 5,
            "high_w": round((CHART_WIDTH - CHART_LABEL - 60) * (r.high_tech_pct or 0) / 100, 1),
            "companies_w": round((CHART_WIDTH - CHART_LABEL - 60) * r.companies / top, 1),
        }
        for i, r in enumerate(page.object_list)
    ]
    totals = {
        "complexes": len(items),
        "companies": sum(r.companies for r in items),
        "high_tech": sum(r.high_tech for r in items),
        "employees": sum(r.employees for r in items),
    }
    totals["high_tech_pct"] = round(100 * totals["high_tech"] / totals["companies"], 1) if totals["companies"] else None
    context = {
        "page": page,
        "chart": chart,
        "chart_width": CHART_WIDTH,
        "chart_label": CHART_LABEL,
        "chart_height": len(chart) * (CHART_BAR + 6),
        "chart_bar": CHART_BAR,
        "totals": totals,
        "sort": sort,
        "sorts": compare.SORTS,
        "year": year,
        "q": q,
        "metrics": compare.metric_info(),
        "intensity_source": ksic.intensity_source(get_language()),
        "officer_of": viewer.officer_complex_ids,
    }
    return render_page(request, "registry/complexes.html", context)


def complexes_export(request):
    """The comparison of every complex as an Excel file (public aggregates)."""
    from techvalley.registry import compare

    viewer = viewer_for(request.user)
    year = _compare_year(request)
    items = compare.rows(viewer, compare.sort_param(request.GET.get("sort")))
    compare.add_metrics(items, year)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="complexes-{year}-{timezone.localdate():%Y%m%d}.xlsx"'
    compare.write_xlsx(items, year, response)
    return response


# --- address rules of the complex (officers) ------------------------------------------------------


def complex_rules(request):
    """The address rules of the current complex: which registry rows belong to it. Its officers
    add and remove rules here (or load a whole file: ``techvalley registry rules load``)."""
    from techvalley.registry.forms import AddressRuleForm
    from techvalley.registry.models import AddressRule
    from techvalley.registry.rules import RuleSet

    cx = current_complex(request)
    viewer = viewer_for(request.user)
    if not permissions.can_edit_rules(viewer, cx):
        raise PermissionDenied(_("District officers only."))
    form = AddressRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_rule(cx, **form.cleaned_data)
        except BadInput as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Rule added."))
            return redirect("registry:complex_rules")
    stored = list(AddressRule.objects.filter(complex=cx).order_by("sigungu", "legal_dong", "address_contains"))
    derived = [] if stored else RuleSet.from_db([cx]).rules
    context = {"complex": cx, "rules": stored, "derived": derived, "form": form}
    return render_page(request, "registry/complex_rules.html", context)


@require_POST
def complex_rule_remove(request, pk: int):
    from techvalley.registry.models import AddressRule

    rule = AddressRule.objects.select_related("complex").filter(pk=pk).first()
    if rule is None:
        raise Http404(_("No such rule."))
    if not permissions.can_edit_rules(viewer_for(request.user), rule.complex):
        raise PermissionDenied(_("District officers only."))
    services.remove_rule(rule.pk)
    messages.success(request, _("Rule removed."))
    return redirect(f"{reverse('registry:complex_rules')}?complex={rule.complex.slug}")
