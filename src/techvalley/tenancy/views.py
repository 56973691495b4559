"""Pages of the tenancy app.

Public: the centres and their vacant units (no internal data), the eligibility self-check and
the inquiry form with its consent. Officers: centres' occupancy and support areas, the tenant
audit (page and Excel), the funnel and leads, campaigns, roundtables and the rule data.
Reads go through ``selectors`` (scoped), writes through ``services``; who may do what is
``permissions``.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput
from techvalley.core.views import current_complex, page_of, render_page
from techvalley.registry import ksic
from techvalley.tenancy import documents, eligibility, forms, permissions, selectors, services
from techvalley.tenancy.models import Campaign, FollowUp, Lease, Roundtable, RuleVersion, Stage, Unit
from techvalley.tenancy.rules import diff_documents, shipped_document


def _officer(request):
    viewer = viewer_for(request.user)
    cx = current_complex(request)
    selectors.officer_or_403(viewer, cx)
    return viewer, cx


# --- a company's own leases ---------------------------------------------------------------------


def company_leases(request, pk: int):
    """A company's leases in knowledge-industry centres: its own members and the officers."""
    from django.contrib.auth.views import redirect_to_login

    from techvalley.registry.models import Company

    viewer = viewer_for(request.user)
    if not viewer.is_authenticated:
        return redirect_to_login(request.get_full_path())
    company = get_object_or_404(Company, pk=pk)
    leases = list(selectors.company_leases(viewer, company)[:500])
    context = {
        "company": company,
        "current": [lease for lease in leases if lease.end is None],
        "past": [lease for lease in leases if lease.end is not None],
        "is_officer": viewer.is_officer_of(company.complex_id),
    }
    return render_page(request, "tenancy/company_leases.html", context)


# --- public ----------------------------------------------------------------------------------------


def vacancy_list(request):
    viewer = viewer_for(request.user)
    cx = current_complex(request)
    context = {
        "complex": cx,
        "centres": selectors.public_centres(cx),
        "can_manage": permissions.can_manage_tenancy(viewer, cx),
        "today": timezone.localdate(),
        "updated": selectors.vacancy_updated(cx),
    }
    return render_page(request, "tenancy/vacancy_list.html", context)


def centre_detail(request, slug: str):
    viewer = viewer_for(request.user)
    cx = current_complex(request)
    centre = selectors.centre_for(viewer, cx, slug)
    context = {
        "complex": cx,
        "centre": centre,
        "units": selectors.vacant_units(centre),
        "can_manage": permissions.can_view_centre_internals(viewer, centre),
    }
    return render_page(request, "tenancy/centre_detail.html", context)


def self_check(request):
    cx = current_complex(request)
    centres = list(selectors.public_centres(cx))
    result = None
    # a link may pre-fill the code or the centre (a company page: ?ksic=25934&revision=10); the
    # form is judged once the area is given too
    asked = "area_m2" in request.GET
    initial = {k: request.GET.get(k, "")[:60] for k in ("centre", "ksic", "revision") if request.GET.get(k)}
    form = forms.SelfCheckForm(request.GET if asked else None, initial=initial, centres=centres)
    if asked and form.is_valid():
        d = form.cleaned_data
        centre = next(c for c in centres if c.slug == d["centre"])
        try:
            app = eligibility.parse_application(
                {
                    "ksic": d["ksic"],
                    "revision": d["revision"],
                    "venture": d["venture"],
                    "use": d["use"],
                    "area_m2": str(d["area_m2"]),
                    "centre": d["centre"],
                },
                centre_lookup=lambda slug, rev: selectors.centre_facts(centre, rev),
                rules=selectors.active_rules(),
            )
            result = eligibility.evaluate(app, selectors.active_rules())
        except BadInput as exc:
            form.add_bad_input(exc)
    return render_page(request, "tenancy/self_check.html", {"complex": cx, "form": form, "result": result})


def inquiry(request):
    cx = current_complex(request)
    centres = list(selectors.public_centres(cx))
    if request.method == "POST":
        form = forms.InquiryForm(request.POST, centres=centres)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.submit_inquiry(
                    cx,
                    {**d, "area_min_m2": d["area_min_m2"], "area_max_m2": d["area_max_m2"]},
                    consent=d["consent"],
                    tracking_code=d.get("c") or "",
                )
            except BadInput as exc:
                form.add_bad_input(exc)
            else:
                return redirect("tenancy:inquiry_done")
    else:
        initial = {"c": request.GET.get("c", "")[:40], "centre": request.GET.get("centre", "")[:60]}
        form = forms.InquiryForm(initial=initial, centres=centres)
    return render_page(request, "tenancy/inquiry.html", {"complex": cx, "form": form, "consent": services.CONSENT})


def inquiry_done(request):
    return render_page(request, "tenancy/inquiry_done.html", {"consent": services.CONSENT})


# --- officers ------------------------------------------------------------------------------------------


def manage(request):
    viewer, cx = _officer(request)
    context = {
        "complex": cx,
        "centres": selectors.centres_overview(viewer, cx),
        "occupancy": selectors.occupancy(cx),
        "funnel": selectors.funnel(viewer, cx),
        "stale": selectors.leads_without_next_step(viewer, cx)[:10],
    }
    return render_page(request, "tenancy/manage.html", context)


def centre_manage(request, slug: str):
    viewer, cx = _officer(request)
    centre = selectors.centre_for(viewer, cx, slug)
    units = centre.units.select_related("owner").prefetch_related("leases__tenant").order_by("floor", "number")
    current = {lease.unit_id: lease for lease in selectors.current_leases(centre)}
    rows = [(u, current.get(u.pk)) for u in units]
    checks = eligibility.check_building(
        selectors.active_rules(),
        floors_above_ground=centre.floors_above,
        units_for_industry=sum(1 for u in units if u.use != "support"),
        floor_area_above_ground_m2=None,
        building_area_m2=centre.building_area_m2,
    )
    context = {
        "complex": cx,
        "centre": centre,
        "rows": rows,
        "support": selectors.support_overview(centre),
        "findings": selectors.tenant_audit(viewer, cx, centre=centre, only_findings=True),
        "building_checks": checks,
    }
    return render_page(request, "tenancy/centre_manage.html", context)


def audit(request):
    viewer, cx = _officer(request)
    rows = selectors.tenant_audit(viewer, cx, only_findings=request.GET.get("all") != "1")
    context = {
        "complex": cx,
        "rows": rows,
        "rules": selectors.active_rules(),
        "show_all": request.GET.get("all") == "1",
    }
    return render_page(request, "tenancy/audit.html", context)


def audit_xlsx(request):
    viewer, cx = _officer(request)
    rows = selectors.tenant_audit(viewer, cx)
    response = HttpResponse(
        documents.audit_workbook(cx, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="kic-tenant-audit.xlsx"'
    return response


def funnel(request):
    viewer, cx = _officer(request)
    stage = request.GET.get("stage") or None
    if stage and stage not in Stage.values:
        raise BadInput(f"stage: {', '.join(Stage.values)}", field="stage")
    context = {
        "complex": cx,
        "funnel": selectors.funnel(viewer, cx),
        "page": page_of(request, selectors.leads(viewer, cx, stage)),
        "stage": stage,
        "stages": Stage.choices,
        "stale": selectors.leads_without_next_step(viewer, cx),
    }
    return render_page(request, "tenancy/funnel.html", context)


def lead_detail(request, pk: int):
    viewer = viewer_for(request.user)
    lead = selectors.lead_for(viewer, pk)
    context = {
        "lead": lead,
        "complex": lead.complex,
        "events": lead.events.select_related("by"),
        "followups": lead.followups.select_related("assignee"),
        "stage_form": forms.StageForm(initial={"stage": _next_stage(lead.stage)}),
        "followup_form": forms.FollowUpForm(),
        "matches": selectors.match_units(viewer, lead.complex, lead),
        "closed": lead.stage not in (s.value for s in selectors.OPEN_STAGES),
        "industry": ksic.lookup(lead.ksic, lead.ksic_revision) if lead.ksic else None,
    }
    return render_page(request, "tenancy/lead_detail.html", context)


def _next_stage(stage: str) -> str:
    order = [s.value for s in selectors.STAGE_ORDER]
    return order[min(order.index(stage) + 1, len(order) - 1)] if stage in order else Stage.LOST


def lead_stage(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = viewer_for(request.user)
    lead = selectors.lead_for(viewer, pk)
    form = forms.StageForm(request.POST)
    if not form.is_valid():
        raise BadInput("단계가 올바르지 않습니다. / invalid stage.", field="stage")
    d = form.cleaned_data
    unit = None
    if d.get("unit"):
        unit = get_object_or_404(Unit, pk=d["unit"], centre__complex=lead.complex)
    services.advance_lead(lead, d["stage"], by=request.user, note=d["note"], lost_reason=d["lost_reason"], unit=unit)
    messages.success(request, _("Stage saved."))
    return redirect("tenancy:lead_detail", pk=lead.pk)


def lead_assign(request, pk: int):
    """The officer takes charge of the lead (담당)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = viewer_for(request.user)
    lead = selectors.lead_for(viewer, pk)
    services.assign_lead(lead, request.user)
    return redirect("tenancy:lead_detail", pk=lead.pk)


def lead_followup(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = viewer_for(request.user)
    lead = selectors.lead_for(viewer, pk)
    form = forms.FollowUpForm(request.POST)
    if not form.is_valid():
        raise BadInput("후속 조치 내용이 필요합니다. / the follow-up needs a title.", field="title")
    services.add_followup(
        lead.complex, title=form.cleaned_data["title"], lead=lead, due=form.cleaned_data["due"], assignee=request.user
    )
    return redirect("tenancy:lead_detail", pk=lead.pk)


def followup_done(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = viewer_for(request.user)
    task = get_object_or_404(FollowUp.objects.select_related("lead", "issue__roundtable"), pk=pk)
    if not viewer.is_officer_of(task.complex_id):
        raise PermissionDenied("구청 담당자만 할 수 있습니다. / District officers only.")
    services.complete_followup(task)
    if task.lead_id:
        return redirect("tenancy:lead_detail", pk=task.lead_id)
    return redirect("tenancy:roundtable_detail", pk=task.issue.roundtable_id)


def campaign_list(request):
    viewer, cx = _officer(request)
    context = {
        "complex": cx,
        "campaigns": selectors.campaigns(viewer, cx),
        "roundtables": Roundtable.objects.filter(complex=cx).annotate(issue_count=Count("issues")),
    }
    return render_page(request, "tenancy/campaign_list.html", context)


def campaign_new(request):
    viewer, cx = _officer(request)
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = services.save_campaign(cx, form.cleaned_data)
        return redirect("tenancy:campaign_detail", pk=campaign.pk)
    return render_page(request, "tenancy/form.html", {"complex": cx, "form": form, "title": _("New campaign")})


def campaign_detail(request, pk: int):
    viewer = viewer_for(request.user)
    campaign = get_object_or_404(Campaign, pk=pk)
    selectors.officer_or_403(viewer, campaign.complex)
    figures = next(c for c in selectors.campaigns(viewer, campaign.complex) if c.pk == campaign.pk)
    link = request.build_absolute_uri(reverse("tenancy:inquiry")) + f"?c={campaign.tracking_code}"
    context = {
        "campaign": figures,
        "complex": campaign.complex,
        "leads": campaign.leads.order_by("-created_at")[:50],
        "roundtables": campaign.roundtables.all(),
        "tracking_link": link,
    }
    return render_page(request, "tenancy/campaign_detail.html", context)


def roundtable_new(request):
    viewer, cx = _officer(request)
    form = forms.RoundtableForm(request.POST or None, complex=cx)
    if request.method == "POST" and form.is_valid():
        roundtable = services.save_roundtable(cx, form.cleaned_data)
        return redirect("tenancy:roundtable_detail", pk=roundtable.pk)
    return render_page(request, "tenancy/form.html", {"complex": cx, "form": form, "title": _("New roundtable")})


def roundtable_detail(request, pk: int):
    viewer = viewer_for(request.user)
    roundtable = get_object_or_404(Roundtable.objects.select_related("complex", "campaign"), pk=pk)
    selectors.officer_or_403(viewer, roundtable.complex)
    if request.method == "POST":
        form = forms.IssueForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            services.add_issue(
                roundtable,
                text=d["text"],
                raised_by=d["raised_by"],
                follow_up=d["follow_up"],
                due=d["due"],
                assignee=request.user,
            )
            return redirect("tenancy:roundtable_detail", pk=roundtable.pk)
    else:
        form = forms.IssueForm()
    context = {
        "roundtable": roundtable,
        "complex": roundtable.complex,
        "issues": roundtable.issues.prefetch_related("followups"),
        "form": form,
    }
    return render_page(request, "tenancy/roundtable_detail.html", context)


def rules(request):
    viewer = viewer_for(request.user)
    if not permissions.can_edit_rules(viewer, current_complex(request)):
        raise PermissionDenied("구청 담당자만 볼 수 있습니다. / District officers only.")
    active = selectors.active_rules()
    routes = [
        {
            "cite": active.cite(r.clause),
            "text": active.text(r.clause),
            "label": r.label,
            "codes10": active.codes_of(r, 10),
            "codes11": active.codes_of(r, 11),
            "condition": r.condition,
            "recognition": r.recognition,
            "note": r.note,
        }
        for r in active.tenant_routes
    ]
    exclusions = [
        {
            "cite": active.cite(r.clause),
            "text": active.text(r.clause),
            "codes11": active.codes_of(r, 11),
            "use": active.building_uses.get(r.building_use, ""),
            "note": r.note,
            "condition": r.unless or r.applies_if,
        }
        for r in active.exclusions
    ]
    caps = [{"location": k, **v, "cite": active.cite(v["clause"])} for k, v in active.caps.items()]
    context = {
        "rules": active,
        "routes": routes,
        "exclusions": exclusions,
        "caps": caps,
        "versions": [
            (v, diff_documents(shipped_document(), v.document))
            for v in RuleVersion.objects.select_related("created_by")[:20]
        ],
        "stored": selectors.active_rule_version(),
    }
    return render_page(request, "tenancy/rules.html", context)


def rules_new(request):
    viewer = viewer_for(request.user)
    if not permissions.can_edit_rules(viewer, current_complex(request)):
        raise PermissionDenied("구청 담당자만 할 수 있습니다. / District officers only.")
    base = selectors.active_rules().document
    if request.method == "POST":
        form = forms.RuleVersionForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                document = json.loads(d["document"], parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
            except (ValueError, RecursionError) as exc:
                form.add_error("document", f"JSON이 올바르지 않습니다 ({exc}). / not valid JSON.")
            else:
                try:
                    services.save_rule_version(
                        document, version=d["version"], note=d["note"], by=request.user, activate=d["activate"]
                    )
                except BadInput as exc:
                    form.add_error("document" if exc.field != "version" else "version", exc.message)
                else:
                    return redirect("tenancy:rules")
    else:
        form = forms.RuleVersionForm(
            initial={"version": f"{base['version']}-edit", "document": json.dumps(base, ensure_ascii=False, indent=1)}
        )
    return render_page(request, "tenancy/form.html", {"form": form, "title": _("New rule version")})


def rules_activate(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = viewer_for(request.user)
    if not permissions.can_edit_rules(viewer, current_complex(request)):
        raise PermissionDenied("구청 담당자만 할 수 있습니다. / District officers only.")
    if pk == 0:
        services.activate_rule_version(None)
    else:
        services.activate_rule_version(get_object_or_404(RuleVersion, pk=pk))
    return redirect("tenancy:rules")


def shipped_rules_json(request):
    viewer = viewer_for(request.user)
    if not permissions.can_edit_rules(viewer, current_complex(request)):
        raise PermissionDenied("구청 담당자만 볼 수 있습니다. / District officers only.")
    body = json.dumps(shipped_document(), ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


# --- centres, units and leases (officers) ---------------------------------------------------------


def _form_or_errors(form, call):
    """Run a service for a valid form; its BadInput becomes the form's error."""
    try:
        return call()
    except BadInput as exc:
        form.add_bad_input(exc)
        return None


def centre_new(request):
    viewer, cx = _officer(request)
    form = forms.CentreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        centre = _form_or_errors(form, lambda: services.save_centre(cx, form.cleaned_data))
        if centre is not None:
            return redirect("tenancy:centre_manage", slug=centre.slug)
    return render_page(request, "tenancy/form.html", {"complex": cx, "form": form, "title": _("New centre")})


def centre_edit(request, slug: str):
    viewer, cx = _officer(request)
    centre = selectors.centre_for(viewer, cx, slug)
    form = forms.CentreForm(request.POST or None, instance=centre)
    if request.method == "POST" and form.is_valid():
        saved = _form_or_errors(form, lambda: services.save_centre(cx, form.cleaned_data, centre))
        if saved is not None:
            return redirect("tenancy:centre_manage", slug=saved.slug)
    return render_page(request, "tenancy/form.html", {"complex": cx, "form": form, "title": centre.name})


def unit_new(request, slug: str):
    viewer, cx = _officer(request)
    centre = selectors.centre_for(viewer, cx, slug)
    form = forms.UnitForm(request.POST or None, initial={"status": "vacant"})
    if request.method == "POST" and form.is_valid():
        if _form_or_errors(form, lambda: services.save_unit(centre, form.cleaned_data)) is not None:
            return redirect("tenancy:centre_manage", slug=centre.slug)
    title = _("New unit") + f" · {centre.name}"
    return render_page(request, "tenancy/form.html", {"complex": cx, "form": form, "title": title})


def _unit_for(request, pk: int):
    viewer, cx = _officer(request)
    unit = get_object_or_404(Unit.objects.select_related("centre"), pk=pk, centre__complex=cx)
    return viewer, cx, unit


def unit_edit(request, pk: int):
    viewer, cx, unit = _unit_for(request, pk)
    form = forms.UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        if _form_or_errors(form, lambda: services.save_unit(unit.centre, form.cleaned_data, unit)) is not None:
            return redirect("tenancy:centre_manage", slug=unit.centre.slug)
    return render_page(request, "tenancy/form.html", {"complex": cx, "form": form, "title": str(unit)})


def unit_move_in(request, pk: int):
    viewer, cx, unit = _unit_for(request, pk)
    form = forms.MoveInForm(request.POST or None, initial={"monthly_rent_won": unit.monthly_rent_won})
    if request.method == "POST" and form.is_valid():
        if _form_or_errors(form, lambda: services.record_move_in(unit, form.cleaned_data)) is not None:
            return redirect("tenancy:centre_manage", slug=unit.centre.slug)
    title = _("Move-in") + f" · {unit}"
    return render_page(request, "tenancy/form.html", {"complex": cx, "form": form, "title": title})


def lease_end(request, pk: int):
    viewer, cx = _officer(request)
    lease = get_object_or_404(
        Lease.objects.select_related("unit__centre", "tenant"), pk=pk, unit__centre__complex=cx, end__isnull=True
    )
    form = forms.MoveOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = _form_or_errors(form, lambda: services.end_lease(lease, end=d["end"], reason=d["reason"]))
        if done is not None:
            return redirect("tenancy:centre_manage", slug=lease.unit.centre.slug)
    title = _("Move-out") + f" · {lease}"
    return render_page(request, "tenancy/form.html", {"complex": cx, "form": form, "title": title})
