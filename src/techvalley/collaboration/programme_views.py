"""Pages that change joint programmes (officers): the programme itself, its budget lines by source
(국비/시비/구비/민자), its KPIs (target and actual) and its participating partners.

Each form's input goes to a service; a ``BadInput`` comes back as a message on the form's field,
with the form shown again (status 400, or 409 for a clash) and the values the officer typed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techvalley.collaboration import permissions, selectors, services
from techvalley.collaboration.forms import (
    BudgetLineForm,
    KpiForm,
    ParticipantForm,
    PartnerForm,
    ProgrammeForm,
)
from techvalley.collaboration.models import Agreement, BudgetLine, Kpi, Partner
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput
from techvalley.core.views import current_complex, render_page


def _officer_of(request, complex_id):
    viewer = viewer_for(request.user)
    if not permissions.can_manage_cooperation(viewer, complex_id):
        raise PermissionDenied(_("Only district officers may do this."))
    return viewer


def _managed_programme(request, pk: int):
    programme = selectors.programme(viewer_for(request.user), pk)
    _officer_of(request, programme.complex_id)
    return programme


def _form_page(request, form, title, subtitle="", status=200):
    response = render_page(request, "collaboration/form.html", {"form": form, "title": title, "subtitle": subtitle})
    response.status_code = status
    return response


def _submit(request, form, save, title, subtitle=""):
    """Run ``save(cleaned_data)`` for a valid form and go to the record it returns; otherwise
    (the form's own checks, or the service's ``BadInput``) show the form again with messages."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                return redirect(save(form.cleaned_data))
            except BadInput as exc:
                form.add_bad_input(exc)
                status = exc.status
        else:
            status = 400
    return _form_page(request, form, title, subtitle, status)


def _agreements(cx):
    return Agreement.objects.filter(complex=cx).order_by("-signed_on", "title")


# --- the programme ----------------------------------------------------------------------


def programme_new(request):
    cx = current_complex(request)
    _officer_of(request, cx.pk)
    form = ProgrammeForm(request.POST or None, agreements=_agreements(cx))

    def save(d):
        return services.save_programme(cx, d).get_absolute_url()

    return _submit(request, form, save, _("New joint programme"))


def programme_edit(request, pk: int):
    programme = _managed_programme(request, pk)
    fields = ("title", "funder", "starts_on", "ends_on", "status", "description", "source", "is_public", "estimated")
    initial = {k: getattr(programme, k) for k in fields} | {"agreement": programme.agreement_id}
    form = ProgrammeForm(request.POST or None, initial=initial, agreements=_agreements(programme.complex))

    def save(d):
        return services.save_programme(programme.complex, d, programme).get_absolute_url()

    return _submit(request, form, save, _("Change the joint programme"), programme.title)


# --- budget lines -------------------------------------------------------------------------


def budget_add(request, pk: int):
    programme = _managed_programme(request, pk)
    form = BudgetLineForm(request.POST or None)

    def save(d):
        services.save_budget_line(programme, d)
        return programme.get_absolute_url() + "#budget"

    return _submit(request, form, save, _("Add a budget line"), programme.title)


def _managed_line(request, pk: int) -> BudgetLine:
    line = BudgetLine.objects.select_related("programme").filter(pk=pk).first()
    if line is None:
        raise Http404
    selectors.programme(viewer_for(request.user), line.programme_id)  # 404 for a private programme
    _officer_of(request, line.programme.complex_id)
    return line


def budget_edit(request, pk: int):
    line = _managed_line(request, pk)
    initial = {"source": line.source, "year": line.year or "", "amount_krw": line.amount_krw}
    initial["executed_krw"] = "" if line.executed_krw is None else line.executed_krw
    form = BudgetLineForm(request.POST or None, initial=initial)

    def save(d):
        services.save_budget_line(line.programme, d, line)
        return line.programme.get_absolute_url() + "#budget"

    return _submit(request, form, save, _("Change the budget line"), line.programme.title)


@require_POST
def budget_delete(request, pk: int):
    line = _managed_line(request, pk)
    services.delete_budget_line(line)
    return redirect(line.programme.get_absolute_url() + "#budget")


# --- KPIs ---------------------------------------------------------------------------------


def kpi_add(request, pk: int):
    programme = _managed_programme(request, pk)
    form = KpiForm(request.POST or None)

    def save(d):
        services.save_kpi(programme, d)
        return programme.get_absolute_url() + "#kpis"

    return _submit(request, form, save, _("Add a KPI"), programme.title)


def _managed_kpi(request, pk: int) -> Kpi:
    kpi = Kpi.objects.select_related("programme").filter(pk=pk).first()
    if kpi is None:
        raise Http404
    selectors.programme(viewer_for(request.user), kpi.programme_id)
    _officer_of(request, kpi.programme.complex_id)
    return kpi


def kpi_edit(request, pk: int):
    kpi = _managed_kpi(request, pk)
    initial = {"name": kpi.name, "unit": kpi.unit, "target": kpi.target.normalize()}
    initial["result"] = "" if kpi.result is None else kpi.result.normalize()
    form = KpiForm(request.POST or None, initial=initial)

    def save(d):
        services.save_kpi(kpi.programme, d, kpi)
        return kpi.programme.get_absolute_url() + "#kpis"

    return _submit(request, form, save, _("Change the KPI"), kpi.programme.title)


@require_POST
def kpi_delete(request, pk: int):
    kpi = _managed_kpi(request, pk)
    services.delete_kpi(kpi)
    return redirect(kpi.programme.get_absolute_url() + "#kpis")


# --- participants and partners --------------------------------------------------------------


def participant_add(request, pk: int):
    programme = _managed_programme(request, pk)
    form = ParticipantForm(request.POST or None)

    def save(d):
        services.add_participant(programme, d["name"], d["kind"])
        return programme.get_absolute_url() + "#participants"

    return _submit(request, form, save, _("Add a participating partner"), programme.title)


@require_POST
def participant_remove(request, pk: int, partner_pk: int):
    programme = _managed_programme(request, pk)
    found = programme.participants.filter(pk=partner_pk).first()
    if found is None:
        raise Http404
    services.remove_participant(programme, found)
    return redirect(programme.get_absolute_url() + "#participants")


def partner_list(request):
    cx = current_complex(request)
    viewer = _officer_of(request, cx.pk)
    context = {"complex": cx, "partners": selectors.partners(viewer, cx)}
    return render_page(request, "collaboration/partner_list.html", context)


def partner_edit(request, pk: int):
    found = Partner.objects.select_related("company").filter(pk=pk).first()
    if found is None:
        raise Http404
    _officer_of(request, found.complex_id)
    initial = {"name": found.name, "kind": found.kind, "note": found.note}
    initial["company"] = found.company.name if found.company else ""
    form = PartnerForm(request.POST or None, initial=initial)

    def save(d):
        services.save_partner(found, d)
        return "collaboration:partner_list"

    return _submit(request, form, save, _("Change the partner"), found.name)
