"""Energy pages: a company's own energy (its members and officers), the complex for officers, and
the company's reduction measures (its managers and officers record them).

Every read goes through ``green.selectors`` (scoped to the viewer), every write through
``green.services``; who may do what is ``green.permissions``. Pages compute on DuckDB only.
"""

import csv
import datetime as dt
import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from techvalley.core.forms import BilingualErrors
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput, safe_row, year_param
from techvalley.core.views import current_complex, render_page
from techvalley.green import charts, factors, permissions, selectors, services, xlsx
from techvalley.green.models import Measure
from techvalley.registry.models import Company


def _year(request, cx) -> int:
    """The year asked (1900–2100, else 400), or the last year with readings."""
    year = year_param(request.GET.get("year"))
    if year is not None:
        return year
    return selectors.latest_year(cx) or dt.date.today().year


def _factor_set(request) -> str | None:
    name = request.GET.get("factors") or None
    return name if name in factors.emission_sets() else None


def _korean() -> bool:
    return (get_language() or "ko").startswith("ko")


def factor_note(f: dict) -> str:
    """The factor version's basis in the page's language (Korean first)."""
    if _korean():
        return f"{f.get('basis_ko') or f['basis']}. {f.get('energy_basis_ko') or f['energy_basis']}"
    return f"{f['basis']}. {f['energy_basis']}"


def index(request):
    viewer = viewer_for(request.user)
    cx = current_complex(request)
    if permissions.can_view_complex_energy(viewer, cx):
        return redirect("green:complex")
    own = permissions.own_energy_company(viewer, cx) or permissions.own_energy_company(viewer)
    if own is None:
        raise PermissionDenied(_("Energy data is private: companies see their own, officers the complex."))
    return redirect("green:company", pk=own.pk)


DAYTYPES = {"working": _lazy("working day"), "weekend": _lazy("weekend"), "holiday": _lazy("public holiday")}


def company(request, pk: int):
    viewer = viewer_for(request.user)
    company = selectors.energy_company(viewer, pk)
    year = _year(request, company.complex)
    data = selectors.company_energy(viewer, company, year, _factor_set(request))
    for a in data["anomalies"]:
        a["daytype_label"] = DAYTYPES.get(a["daytype"], a["daytype"])
    context = {
        "company": company,
        "year": year,
        "data": data,
        "factor_sets": factors.emission_sets(),
        "chosen": data["factors"]["emission_set"],
        "factor_note": factor_note(data["factors"]),
        "can_manage_measures": permissions.can_manage_measures(viewer, company),
    }
    if data["report"]:
        months = data["report"]["months"]
        context["monthly_chart"] = charts.bars([m["month"][5:] for m in months], [m["kwh"] for m in months])
        working = [p["kw"] for p in data["profile"] if p["daytype"] == "working"]
        off = [p["kw"] for p in data["profile"] if p["daytype"] == "off"]
        context["profile_chart"] = charts.lines({"working": working, "off": off}, [f"{h}" for h in range(24)])
    return render_page(request, "green/company.html", context)


def company_export(request, pk: int):
    viewer = viewer_for(request.user)
    company = selectors.energy_company(viewer, pk)
    year = _year(request, company.complex)
    rep = selectors.report(viewer, company.complex, year, emission_set=_factor_set(request), company=company)
    return _csv_response(rep, f"energy-{company.pk}-{year}.csv")


CSV_HEADER = ["기업 ID", "기업명", "월", "kWh", "toe", "tCO2eq", "Scope 1 tCO2eq", "Scope 2 tCO2eq", "배출계수 버전"]


def _csv_response(rep: dict, filename: str) -> HttpResponse:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADER)
    for c in rep["companies"]:
        for m in c["months"]:
            w.writerow(
                safe_row(
                    [
                        c["company_id"],
                        c["company"],
                        m["month"],
                        round(m["kwh"], 3),
                        round(m["toe"], 6),
                        round(m["tco2eq"], 6),
                        round(m["scope1"], 6),
                        round(m["scope2"], 6),
                        rep["factors"]["emission_set"],
                    ]
                )
            )
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def complex_page(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    selectors.require_complex(viewer, cx)
    year = _year(request, cx)
    overview = selectors.complex_overview(viewer, cx, year, _factor_set(request))
    rep = overview["report"]
    top = sorted(rep["companies"], key=lambda c: -c["total"]["tco2eq"])[:15]
    months: dict[str, float] = {}
    for c in rep["companies"]:
        for m in c["months"]:
            months[m["month"]] = months.get(m["month"], 0) + m["tco2eq"]
    traj = selectors.trajectory(viewer, cx, [year], _factor_set(request))
    last_month = max((m for m in months if m.startswith(str(year))), default=None)
    anomalies, as_of = [], None
    if last_month:
        as_of = dt.date(year, int(last_month[5:7]), 1)
        anomalies = services.recent_anomalies(cx, as_of)
        names = dict(Company.objects.filter(pk__in={int(a["company"]) for a in anomalies}).values_list("id", "name"))
        for a in anomalies:
            a["company_id"] = int(a["company"])
            a["company_name"] = names.get(a["company_id"], a["company"])
            a["daytype_label"] = DAYTYPES.get(a["daytype"], a["daytype"])
    context = {
        "complex": cx,
        "year": year,
        "overview": overview,
        "report": rep,
        "top": top,
        "factor_sets": factors.emission_sets(),
        "chosen": rep["factors"]["emission_set"],
        "factor_note": factor_note(rep["factors"]),
        "monthly_chart": charts.bars([k[5:] for k in sorted(months)], [months[k] for k in sorted(months)]),
        "trajectory": traj,
        "anomalies": anomalies,
        "anomalies_month": as_of,
        "provenance": services.readings_provenance(cx),
    }
    return render_page(request, "green/complex.html", context)


def complex_export(request, fmt: str = "csv"):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    selectors.require_complex(viewer, cx)
    year = _year(request, cx)
    emission_set = _factor_set(request)
    if fmt == "xlsx":
        # A file built when the lake changed (per state of the lake and of the company names): served
        # as it is; built here only when missing (a lake from before, a renamed company, another year).
        path = services.energy_xlsx(
            cx,
            year,
            emission_set,
            build=lambda: xlsx_bytes(selectors.report(viewer, cx, year, emission_set=emission_set)),
        )
        return FileResponse(
            open(path, "rb"),  # noqa: SIM115  (FileResponse closes it)
            as_attachment=True,
            filename=f"energy-{cx.slug}-{year}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    rep = selectors.report(viewer, cx, year, emission_set=emission_set)
    return _csv_response(rep, f"energy-{cx.slug}-{year}.csv")


XLSX_HEADER = xlsx.REPORT_HEADER
xlsx_bytes = xlsx.report_workbook


# --- reduction measures --------------------------------------------------------------------


class MeasureForm(BilingualErrors, forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["kind", "description", "cost_krw", "expected_kwh_per_year", "status", "live_from", "note"]
        widgets = {"live_from": forms.DateInput(attrs={"type": "date"}), "note": forms.Textarea(attrs={"rows": 2})}


def _measure_form(request, company, measure: Measure | None):
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in MeasureForm.Meta.fields}
        try:
            if measure is None:
                services.create_measure(company, data)
            else:
                services.update_measure(measure, data)
        except BadInput as exc:  # shown on the form, next to its field
            form.add_bad_input(exc)
        else:
            return redirect(reverse("green:company", args=[company.pk]) + "#measures")
    return render_page(request, "green/measure_form.html", {"company": company, "measure": measure, "form": form})


def _managed_company(request, pk: int):
    viewer = viewer_for(request.user)
    company = selectors.energy_company(viewer, pk)
    if not permissions.can_manage_measures(viewer, company):
        raise PermissionDenied(_("Only the company's managers and district officers may change its measures."))
    return company


def measure_new(request, pk: int):
    company = _managed_company(request, pk)
    return _measure_form(request, company, None)


def measure_edit(request, pk: int):
    measure = selectors.measure(viewer_for(request.user), pk, manage=True)
    return _measure_form(request, measure.company, measure)


def measure_delete(request, pk: int):
    measure = selectors.measure(viewer_for(request.user), pk, manage=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    company_pk = measure.company_id
    services.delete_measure(measure)
    return redirect(reverse("green:company", args=[company_pk]) + "#measures")
