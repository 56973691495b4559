"""Cooperation pages: agreements with follow-ups, joint programmes, the support-programme catalogue,
expertise, matching with explanations, companies' needs and their recommended programmes.

Reads go through ``collaboration.selectors`` (scoped to the viewer), writes through
``collaboration.services``; who may do what is ``collaboration.permissions``.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from techvalley.collaboration import eligibility, permissions, selectors, services
from techvalley.collaboration.forms import NeedForm
from techvalley.collaboration.models import (
    FollowUpStatus,
    OutcomeKind,
    PartnerKind,
    Stage,
)
from techvalley.core import links
from techvalley.core.forms import BilingualErrors
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput, clean_text, int_param
from techvalley.core.views import current_complex, page_of, render_page


def _officer(request, cx):
    viewer = viewer_for(request.user)
    if not permissions.can_manage_cooperation(viewer, cx):
        raise PermissionDenied(_("Only district officers may do this."))
    return viewer


def _date(value, name):
    return services.parse_date(value, name)


# --- overview -----------------------------------------------------------------------------


def index(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    today = dt.date.today()
    agreements = list(selectors.agreements(viewer, cx)[:5])
    programmes = [p for p in selectors.programmes(viewer, cx) if p.is_active(today)]
    context = {
        "complex": cx,
        "agreements": agreements,
        "agreement_count": selectors.agreements(viewer, cx).count(),
        "active_programmes": programmes,
        "catalogue_open": selectors.catalogue(viewer, cx)
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
        .count(),
        "expert_count": selectors.experts(viewer, cx).count(),
        "overdue": list(selectors.overdue_follow_ups(viewer, cx, today)[:10]),
        "own_company": permissions.own_company(viewer, cx),
        "can_open_needs": permissions.can_open_needs_in(viewer, cx),
        "is_officer": permissions.is_officer(viewer, cx),
        "today": today,
    }
    return render_page(request, "collaboration/index.html", context)


# --- agreements ---------------------------------------------------------------------------


def agreement_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    today = dt.date.today()
    page = page_of(request, selectors.agreements(viewer, cx))
    rows = [{"a": a, "status": a.status_on(today), "expiring": a.expires_within(today)} for a in page.object_list]
    context = {
        "complex": cx,
        "page": page,
        "rows": rows,
        "overdue": list(selectors.overdue_follow_ups(viewer, cx, today)),
        "can_manage": permissions.can_manage_cooperation(viewer, cx),
        "today": today,
    }
    return render_page(request, "collaboration/agreement_list.html", context)


def agreement_export(request):
    """Agreements, follow-up actions and joint programmes as an Excel workbook (officers)."""
    from techvalley.collaboration.exports import cooperation_workbook

    cx = current_complex(request)
    viewer = _officer(request, cx)
    data = cooperation_workbook(
        selectors.agreements(viewer, cx).prefetch_related("follow_ups"),
        selectors.programmes(viewer, cx),
        dt.date.today(),
    )
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="cooperation-{dt.date.today():%Y%m%d}.xlsx"'
    return response


class FollowUpForm(BilingualErrors, forms.Form):
    action = forms.CharField(label=gettext_lazy("Action to take"), max_length=300)
    owner = forms.CharField(label=gettext_lazy("Owner"), max_length=150)
    due_on = forms.DateField(label=gettext_lazy("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def agreement_detail(request, pk: int):
    viewer = viewer_for(request.user)
    agreement = selectors.agreement(viewer, pk)
    today = dt.date.today()
    can_manage = permissions.can_manage_cooperation(viewer, agreement.complex_id)
    follow_ups = [{"f": f, "overdue": f.is_overdue(today)} for f in agreement.follow_ups.all()]
    context = _links_context(agreement, "collaboration.agreement", can_manage) | {
        "agreement": agreement,
        "status": agreement.status_on(today),
        "parties": agreement.parties.select_related("partner"),
        "follow_ups": follow_ups,
        "programmes": agreement.programmes.all() if can_manage else agreement.programmes.filter(is_public=True),
        "can_manage": can_manage,
        "form": FollowUpForm() if can_manage else None,
        "statuses": FollowUpStatus.choices,
        "today": today,
    }
    return render_page(request, "collaboration/agreement_detail.html", context)


def _links_context(obj, type_key: str, is_officer: bool) -> dict:
    """The record's links (through ``core.links``): what it links to — only public targets for
    anyone but the officers — and, for officers, the records that link to it."""
    return {
        "links": links.links_for_many([obj], public_only=not is_officer).get(obj.pk, []),
        "links_public_only": not is_officer,
        "linked_from": selectors.linked_from(type_key, obj.pk) if is_officer else [],
    }


class AgreementForm(BilingualErrors, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=gettext_lazy("In force until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    parties = forms.CharField(
        label=gettext_lazy("Parties"),
        help_text=gettext_lazy("One per line: name | kind (university, institute, agency, government, company) | role"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    purpose = forms.CharField(
        label=gettext_lazy("Purpose of the agreement"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    obligations = forms.CharField(
        label=gettext_lazy("Obligations of the parties"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_public = forms.BooleanField(label=gettext_lazy("Public"), required=False, initial=True)


def parse_parties(text: str) -> list[tuple[str, str, str]]:
    parties = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")] + ["", ""]
        name, kind, role = cells[0], cells[1] or PartnerKind.OTHER, cells[2]
        if kind not in PartnerKind.values:
            raise BadInput(
                f"당사자 종류 '{kind[:30]}'을(를) 알 수 없습니다 ({', '.join(PartnerKind.values)}). / unknown kind.",
                field="parties",
            )
        parties.append((name, kind, role))
    return parties


def agreement_new(request):
    cx = current_complex(request)
    _officer(request, cx)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        agreement = services.record_agreement(
            cx,
            title=d["title"],
            signed_on=d["signed_on"],
            ends_on=d["ends_on"],
            parties=parse_parties(d["parties"]),
            purpose=d["purpose"],
            obligations=d["obligations"],
            is_public=d["is_public"],
        )
        return redirect(agreement.get_absolute_url())
    return render_page(request, "collaboration/form.html", {"form": form, "title": _("New agreement")})


class AgreementEditForm(BilingualErrors, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    ends_on = forms.DateField(
        label=gettext_lazy("In force until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    purpose = forms.CharField(
        label=gettext_lazy("Purpose of the agreement"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    obligations = forms.CharField(
        label=gettext_lazy("Obligations of the parties"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcomes = forms.CharField(label=gettext_lazy("Outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    terminated = forms.BooleanField(label=gettext_lazy("Terminated"), required=False)
    is_public = forms.BooleanField(label=gettext_lazy("Public"), required=False)


def agreement_edit(request, pk: int):
    viewer = viewer_for(request.user)
    agreement = selectors.agreement(viewer, pk)
    if not permissions.can_manage_cooperation(viewer, agreement.complex_id):
        raise PermissionDenied(_("Only district officers may do this."))
    fields = list(AgreementEditForm.base_fields)
    form = AgreementEditForm(request.POST or None, initial={k: getattr(agreement, k) for k in fields})
    if request.method == "POST" and form.is_valid():
        services.update_agreement(agreement, **form.cleaned_data)
        return redirect(agreement.get_absolute_url())
    return render_page(
        request,
        "collaboration/form.html",
        {"form": form, "title": _("Change the agreement"), "subtitle": agreement.title},
    )


@require_POST
def follow_up_add(request, pk: int):
    viewer = viewer_for(request.user)
    agreement = selectors.agreement(viewer, pk)
    if not permissions.can_manage_cooperation(viewer, agreement.complex_id):
        raise PermissionDenied(_("Only district officers may do this."))
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        raise BadInput(
            "후속 조치: 내용, 담당, 기한이 필요합니다. / action, owner and due date are required.", field="action"
        )
    services.add_follow_up(agreement, **form.cleaned_data)
    return redirect(agreement.get_absolute_url() + "#follow-ups")


@require_POST
def follow_up_status(request, pk: int):
    viewer = viewer_for(request.user)
    follow_up = selectors.follow_up(viewer, pk)
    services.set_follow_up_status(follow_up, request.POST.get("status", ""))
    return redirect(follow_up.agreement.get_absolute_url() + "#follow-ups")


# --- joint programmes ---------------------------------------------------------------------


def programme_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    today = dt.date.today()
    rows = [
        {"p": p, "budget": services.budget_by_source(p), "active": p.is_active(today)}
        for p in selectors.programmes(viewer, cx)
    ]
    for r in rows:
        r["total"] = sum(r["budget"].values())
    context = {"complex": cx, "rows": rows, "can_manage": permissions.can_manage_cooperation(viewer, cx)}
    return render_page(request, "collaboration/programme_list.html", context)


def programme_detail(request, pk: int):
    from techvalley.collaboration.forms import BudgetLineForm, KpiForm, ParticipantForm

    viewer = viewer_for(request.user)
    programme = selectors.programme(viewer, pk)
    budget = services.budget_by_source(programme)
    lines = list(programme.budget.all())
    can_manage = permissions.can_manage_cooperation(viewer, programme.complex_id)
    executed = [line.executed_krw for line in lines if line.executed_krw is not None]
    context = _links_context(programme, "collaboration.programme", can_manage) | {
        "programme": programme,
        "budget": [(label, budget[key]) for key, label in services.BudgetSource.choices],
        "budget_lines": lines,
        "total": sum(budget.values()),
        "executed": sum(executed) if executed else None,
        "kpis": programme.kpis.all(),
        "participants": programme.participants.all(),
        "active": programme.is_active(dt.date.today()),
        "can_manage": can_manage,
        "budget_form": BudgetLineForm(auto_id="budget_%s") if can_manage else None,
        "kpi_form": KpiForm(auto_id="kpi_%s") if can_manage else None,
        "participant_form": ParticipantForm(auto_id="participant_%s") if can_manage else None,
    }
    return render_page(request, "collaboration/programme_detail.html", context)


# --- catalogue ----------------------------------------------------------------------------


def catalogue_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    today = dt.date.today()
    q = clean_text(request.GET.get("q", ""), "q", max_length=100).strip()
    show_closed = request.GET.get("closed") == "1"
    qs = selectors.catalogue(viewer, cx)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(agency__icontains=q) | Q(text__icontains=q))
    if not show_closed:
        qs = qs.filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
    page = page_of(request, qs)
    rows = [
        {
            "p": p,
            "criteria": eligibility.describe(p.eligibility or {}),
            "days_left": (p.deadline - today).days if p.deadline else None,
        }
        for p in page.object_list
    ]
    context = {
        "complex": cx,
        "page": page,
        "rows": rows,
        "q": q,
        "show_closed": show_closed,
        "can_manage": permissions.can_manage_cooperation(viewer, cx),
        "own_company": permissions.own_company(viewer, cx),
    }
    return render_page(request, "collaboration/catalogue_list.html", context)


def catalogue_detail(request, pk: int):
    viewer = viewer_for(request.user)
    p = selectors.support_programme(viewer, pk)
    today = dt.date.today()
    own = permissions.own_company(viewer, p.complex_id)
    verdict = (
        eligibility.check(eligibility.stored(p.eligibility), selectors.facts_for_company(own), today) if own else None
    )
    context = {
        "p": p,
        "criteria": eligibility.describe(p.eligibility or {}),
        "own_company": own,
        "verdict": verdict,
        "days_left": (p.deadline - today).days if p.deadline else None,
        "can_manage": permissions.can_manage_cooperation(viewer, p.complex_id),
    }
    return render_page(request, "collaboration/catalogue_detail.html", context)


class SupportForm(BilingualErrors, forms.Form):
    ref = forms.CharField(label=gettext_lazy("External id"), max_length=100)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    agency = forms.CharField(label=gettext_lazy("Agency"), max_length=200, required=False)
    opens_on = forms.DateField(
        label=gettext_lazy("Applications open"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=gettext_lazy("Notice text"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    eligibility = forms.JSONField(
        label=gettext_lazy("Eligibility (JSON)"),
        required=False,
        help_text=gettext_lazy('e.g. {"manufacturing": true, "employees_max": 49, "region": "부산 사하구"}'),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _support_form(request, instance=None):
    cx = instance.complex if instance else current_complex(request)
    _officer(request, cx)
    initial = None
    if instance is not None:
        initial = {k: getattr(instance, k) for k in ("ref", "title", "agency", "opens_on", "deadline", "text")}
        initial["eligibility"] = instance.eligibility
    form = SupportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        for key in ("opens_on", "deadline"):
            if key in values:
                values[key] = values[key].isoformat()
        obj = services.save_support_programme(cx, values, instance)
        return redirect(obj.get_absolute_url())
    title = _("Change the support programme") if instance else _("New support programme")
    return render_page(request, "collaboration/form.html", {"form": form, "title": title})


def catalogue_new(request):
    return _support_form(request)


def catalogue_edit(request, pk: int):
    return _support_form(request, selectors.support_programme(viewer_for(request.user), pk))


def catalogue_export(request, fmt: str):
    cx = current_complex(request)
    text = services.export_programmes(selectors.catalogue(viewer_for(request.user), cx).order_by("ref"), fmt)
    kind = "application/json" if fmt == "json" else "text/csv"
    response = HttpResponse(("\ufeff" if fmt == "csv" else "") + text, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="support-programmes.{fmt}"'
    return response


def catalogue_import(request):
    cx = current_complex(request)
    _officer(request, cx)
    summary = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            raise BadInput("파일을 고르세요. / choose a file.", field="file")
        services.check_size(upload.size, services.MAX_IMPORT_BYTES, upload.name)
        summary = services.import_programmes(cx, upload.read()).as_dict()
    return render_page(request, "collaboration/catalogue_import.html", {"summary": summary, "complex": cx})


# --- expertise ----------------------------------------------------------------------------


def expert_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    q = clean_text(request.GET.get("q", ""), "q", max_length=100).strip()
    kind = request.GET.get("kind", "")
    qs = selectors.experts(viewer, cx)
    if q:
        qs = qs.filter(Q(org__icontains=q) | Q(unit__icontains=q) | Q(name__icontains=q) | Q(text__icontains=q))
    if kind in ("researcher", "lab", "equipment"):
        qs = qs.filter(kind=kind)
    page = page_of(request, qs)
    context = {
        "complex": cx,
        "page": page,
        "q": q,
        "kind": kind,
        "sees_all": permissions.can_see_all_expertise(viewer, cx),
        "can_import": permissions.can_import_experts(viewer, cx),
    }
    return render_page(request, "collaboration/expert_list.html", context)


def expert_detail(request, pk: int):
    viewer = viewer_for(request.user)
    expert = selectors.expert(viewer, pk)
    needs = []
    if permissions.is_officer(viewer, expert.complex_id):
        needs = _needs_for_expert(viewer, expert)
    context = {"expert": expert, "needs": needs, "consent_role": permissions.consent_role(viewer, expert)}
    return render_page(request, "collaboration/expert_detail.html", context)


def _needs_for_expert(viewer, expert):
    """The reverse direction (a lab → the companies that need it), for officers: the open needs
    of the complex ranked against the lab's description."""
    from techvalley.collaboration.matching import Document, Index

    open_needs = list(selectors.needs(viewer, expert.complex).filter(status__in=["open", "in_progress"])[:2000])
    if not open_needs:
        return []
    index = Index(Document(str(n.pk), title=n.title, text=n.text, payload=n) for n in open_needs)
    hits = index.reverse(" ".join([expert.unit, " ".join(expert.fields or []), expert.text]), limit=10)
    return [{"need": h.doc.payload, "score": h.score, "why": h.why()} for h in hits]


# --- matching -----------------------------------------------------------------------------


class MatchForm(BilingualErrors, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("The need in your words"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    ksic = forms.CharField(label=gettext_lazy("KSIC code"), max_length=10, required=False)
    employees = forms.IntegerField(label=gettext_lazy("Employees"), min_value=0, max_value=10_000_000, required=False)
    founded = forms.IntegerField(label=gettext_lazy("Founded (year)"), min_value=1900, max_value=2100, required=False)
    region = forms.CharField(label=gettext_lazy("Region"), max_length=100, required=False, help_text="부산 사하구")
    in_complex = forms.NullBooleanField(label=gettext_lazy("In the industrial complex"), required=False)


def match(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    form = MatchForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        d = form.cleaned_data
        try:
            ksic = eligibility.normalise_ksic(d["ksic"]) if d["ksic"] else None
        except eligibility.EligibilityError as exc:
            raise BadInput(str(exc), field="ksic") from None
        facts = eligibility.CompanyFacts(
            ksic=ksic,
            employees=d["employees"],
            founded_year=d["founded"],
            region=d["region"] or None,
            in_complex=d["in_complex"],
        )
        result = selectors.match_for_viewer(viewer, cx, d["text"], facts)
    return render_page(request, "collaboration/match.html", {"form": form, "result": result, "complex": cx})


# --- needs, a company's page, the pipeline --------------------------------------------------


def need_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    if not permissions.can_open_needs_in(viewer, cx):
        raise PermissionDenied(_("A company's needs are private: its own people and the officers only."))
    page = page_of(request, selectors.needs(viewer, cx))
    context = {
        "complex": cx,
        "page": page,
        "own_company": permissions.own_company(viewer, cx),
        "is_officer": permissions.is_officer(viewer, cx),
    }
    return render_page(request, "collaboration/need_list.html", context)


def need_new(request, pk: int):
    viewer = viewer_for(request.user)
    company = selectors.company(viewer, pk)
    if not permissions.can_enter_needs(viewer, company):
        raise PermissionDenied(_("A company's needs are private: its own people and the officers only."))
    form = NeedForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                need = services.record_need(
                    company, **form.cleaned_data, by_officer=permissions.is_officer(viewer, company.complex_id)
                )
                return redirect(need.get_absolute_url())
            except BadInput as exc:
                form.add_bad_input(exc)
                status = exc.status
    response = render_page(
        request, "collaboration/form.html", {"form": form, "title": _("New need"), "subtitle": company.name}
    )
    response.status_code = status
    return response


def need_detail(request, pk: int):
    viewer = viewer_for(request.user)
    need = selectors.need(viewer, pk)
    facts = selectors.facts_for_company(need.company)
    result = selectors.match_for_viewer(viewer, need.complex, f"{need.title}\n{need.text}", facts)
    context = {
        "need": need,
        "company": need.company,
        "result": result,
        "facts": facts,
        "engagements": selectors.engagements(viewer, need.complex, need.company).filter(need=need),
        "elsewhere": selectors.spine_hits_for_need(viewer, need.complex, f"{need.title}\n{need.text}"),
        "can_manage": permissions.can_manage_company_cooperation(viewer, need.company),
        "stages": [s for s in Stage.choices if s[0] != Stage.MATCHED],
        "outcome_kinds": OutcomeKind.choices,
    }
    return render_page(request, "collaboration/need_detail.html", context)


@require_POST
def engagement_new(request, pk: int):
    viewer = viewer_for(request.user)
    need = selectors.need(viewer, pk)
    if not permissions.can_manage_company_cooperation(viewer, need.company):
        raise PermissionDenied(_("Managers of the company and officers only."))
    expert = support = None
    expert_id = int_param(request.POST.get("expert"), "expert", lo=1)
    support_id = int_param(request.POST.get("support"), "support", lo=1)
    if expert_id:
        expert = selectors.experts(viewer, need.complex).filter(pk=expert_id).first()
        if expert is None:
            raise Http404
    if support_id:
        support = selectors.catalogue(viewer, need.complex).filter(pk=support_id).first()
        if support is None:
            raise Http404
    services.start_engagement(need.company, need=need, expert=expert, support=support)
    return redirect(need.get_absolute_url() + "#pipeline")


@require_POST
def engagement_advance(request, pk: int):
    viewer = viewer_for(request.user)
    engagement = selectors.engagement(viewer, pk, manage=True)
    services.advance_engagement(engagement, request.POST.get("stage", ""), _date(request.POST.get("on"), "on"))
    return redirect(_back(engagement))


@require_POST
def outcome_add(request, pk: int):
    viewer = viewer_for(request.user)
    engagement = selectors.engagement(viewer, pk, manage=True)
    on = _date(request.POST.get("on"), "on") or dt.date.today()
    services.add_outcome(
        engagement,
        kind=request.POST.get("kind", ""),
        on=on,
        value=request.POST.get("value") or 1,
        description=request.POST.get("description", ""),
    )
    return redirect(_back(engagement))


def _back(engagement) -> str:
    if engagement.need_id:
        return engagement.need.get_absolute_url() + "#pipeline"
    from django.urls import reverse

    return reverse("collaboration:company", args=[engagement.company_id]) + "#pipeline"


def company(request, pk: int):
    viewer = viewer_for(request.user)
    found = selectors.company(viewer, pk)
    recommended = selectors.recommended_programmes(viewer, found)
    engagements = list(selectors.engagements(viewer, found.complex, found))
    context = {
        "company": found,
        "rec": recommended,
        "needs": selectors.needs(viewer, found.complex, found),
        "engagements": engagements,
        "can_manage": permissions.can_manage_company_cooperation(viewer, found),
        "can_enter_needs": permissions.can_enter_needs(viewer, found),
        "stages": [s for s in Stage.choices if s[0] != Stage.MATCHED],
        "outcome_kinds": OutcomeKind.choices,
    }
    return render_page(request, "collaboration/company.html", context)


def my_company(request):
    """A company user's own cooperation page; officers go to the needs of the complex."""
    viewer = viewer_for(request.user)
    cx = current_complex(request)
    own = permissions.own_company(viewer, cx) or permissions.own_company(viewer)
    if own is not None:
        return redirect("collaboration:company", pk=own.pk)
    if permissions.is_officer(viewer, cx):
        return redirect("collaboration:need_list")
    raise PermissionDenied(_("A company's needs are private: its own people and the officers only."))
