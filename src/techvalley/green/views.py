"""Energy pages: a company's own energy (its members and officers), the complex for officers."""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from techvalley.core.scoping import viewer_for
from techvalley.core.views import current_complex, officer_or_403, render_page
from techvalley.green import charts, factors, services
from techvalley.registry.models import Company


def _year(request, cx) -> int:
    if request.GET.get("year", "").isdigit():
        return int(request.GET["year"])
    months = [f["month"] for f in services.lake_for(cx).manifest()["files"]]
    return int(max(months)[:4]) if months else 2025


def _factor_set(request) -> str | None:
    name = request.GET.get("factors") or None
    return name if name in factors.emission_sets() else None


def index(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    if viewer.is_officer_of(cx.pk):
        return redirect("green:complex")
    own = Company.objects.filter(complex=cx, organisation_id__in=viewer.org_ids).first()
    if own is None:
        raise PermissionDenied(_("Energy data is private: companies see their own, officers the complex."))
    return redirect("green:company", pk=own.pk)


def _company_or_403(request, pk: int) -> Company:
    company = get_object_or_404(Company, pk=pk)
    if not viewer_for(request.user).can_see_private(company.organisation_id, company.complex_id):
        raise PermissionDenied(_("Energy data is private: companies see their own, officers the complex."))
    return company


def company(request, pk: int):
    company = _company_or_403(request, pk)
    cx = company.complex
    year = _year(request, cx)
    data = services.company_energy(cx, company, year, _factor_set(request))
    context = {
        "company": company,
        "year": year,
        "data": data,
        "factor_sets": factors.emission_sets(),
        "chosen": data["factors"]["emission_set"],
    }
    if data["report"]:
        months = data["report"]["months"]
        context["monthly_chart"] = charts.bars([m["month"][5:] for m in months], [m["kwh"] for m in months])
        working = [p["kw"] for p in data["profile"] if p["daytype"] == "working"]
        off = [p["kw"] for p in data["profile"] if p["daytype"] == "off"]
        context["profile_chart"] = charts.lines({"working": working, "off": off}, [f"{h}" for h in range(24)])
    return render_page(request, "green/company.html", context)


def company_export(request, pk: int):
    company = _company_or_403(request, pk)
    year = _year(request, company.complex)
    rep = services.report(company.complex, year, emission_set=_factor_set(request), company=company)
    return _csv_response(rep, f"energy-{company.pk}-{year}.csv")


def _csv_response(rep: dict, filename: str) -> HttpResponse:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["company", "month", "kwh", "toe", "tco2eq", "scope1", "scope2", "factors"])
    for c in rep["companies"]:
        for m in c["months"]:
            w.writerow(
                [
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
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def complex_page(request):
    cx = current_complex(request)
    officer_or_403(request, cx)
    year = _year(request, cx)
    overview = services.complex_overview(cx, year, _factor_set(request))
    rep = overview["report"]
    top = sorted(rep["companies"], key=lambda c: -c["total"]["tco2eq"])[:15]
    months: dict[str, float] = {}
    for c in rep["companies"]:
        for m in c["months"]:
            months[m["month"]] = months.get(m["month"], 0) + m["tco2eq"]
    traj = services.trajectory(cx, [year], _factor_set(request))
    context = {
        "complex": cx,
        "year": year,
        "overview": overview,
        "report": rep,
        "top": top,
        "factor_sets": factors.emission_sets(),
        "chosen": rep["factors"]["emission_set"],
        "monthly_chart": charts.bars([k[5:] for k in sorted(months)], [months[k] for k in sorted(months)]),
        "trajectory": traj,
    }
    return render_page(request, "green/complex.html", context)


def complex_export(request, fmt: str = "csv"):
    cx = current_complex(request)
    officer_or_403(request, cx)
    year = _year(request, cx)
    rep = services.report(cx, year, emission_set=_factor_set(request))
    if fmt == "xlsx":
        return _xlsx_response(rep, f"energy-{cx.slug}-{year}.xlsx")
    return _csv_response(rep, f"energy-{cx.slug}-{year}.csv")


def _xlsx_response(rep: dict, filename: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{rep['year']} 월별"
    ws.append(["기업 / company", "월 / month", "kWh", "toe", "tCO2eq", "Scope 1", "Scope 2"])
    for c in rep["companies"]:
        for m in c["months"]:
            ws.append([c["company"], m["month"], m["kwh"], m["toe"], m["tco2eq"], m["scope1"], m["scope2"]])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("계수 (factors)")
    for k, v in rep["factors"].items():
        notes.append([k, str(v)])
    notes.append(["excluded_negative_rows", rep["excluded_negative_rows"]])
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    wb.save(response)
    return response
