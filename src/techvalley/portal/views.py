"""The complex's front door and public pages, each person's home, the complex dashboard, the
transition record, the map, open data and the monthly report — composed of what the apps
register through the spine (panels, transitions, datasets, map layers); the portal names no
app's figures itself and reads the registry only for the companies themselves."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techvalley.core import selectors as core_selectors
from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import clean_text
from techvalley.core.views import current_complex, officer_or_403, render_page
from techvalley.portal import figures, mapping, opendata, report, stages
from techvalley.registry import ksic
from techvalley.registry import selectors as registry_selectors
from techvalley.registry.models import Company, ImportRun


def _map(cx):
    rows = Company.objects.filter(complex=cx, in_registry=True, lon__isnull=False).values_list(
        "lon", "lat", "tech_intensity", "name"
    )
    return mapping.svg_map(list(rows))


def _public_links(viewer) -> list[spine.NavEntry]:
    """The menu's pages anyone may open (vacancies, courses, agreements, surveys …)."""
    from techvalley.core.scoping import ANONYMOUS

    return [e for e in spine.platform.menu(ANONYMOUS) if not e.url_name.startswith("portal:")]


def home(request):
    """The public portal's front page: the complex at a glance, the map, the public pages."""
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    data = registry_selectors.structure(cx)
    context = {
        "complex": cx,
        "data": data,
        "map": _map(cx),
        "intensities": ksic.INTENSITY_LABELS,
        "panels": spine.platform.panels_for(viewer, cx, "complex"),
        "public_links": _public_links(viewer),
        "datasets": spine.platform.datasets_sorted(),
    }
    return render_page(request, "portal/home.html", context)


def complex_dashboard(request):
    """The complex dashboard: every app's "complex" panel, each figure with its source, as-of date
    and link; both definitions of high-tech and their trend across registry imports."""
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    composed = spine.platform.panels_for(viewer, cx, "complex")
    context = {
        "complex": cx,
        "panels": composed,
        "high_tech": high_tech(cx, request.LANGUAGE_CODE),
        "trend": _high_tech_trend(cx),
        "is_officer": viewer.is_officer_of(cx.pk),
    }
    return render_page(request, "portal/complex.html", context)


def high_tech(cx, language: str | None = None) -> dict:
    """Both definitions of the high-tech share, in per cent, with their source and date."""
    structure = registry_selectors.structure(cx)
    as_of = registry_selectors.registry_as_of(cx)
    return {
        # None (shown "—") when the registry has no company: a share of nothing is no figure.
        "broad": registry_selectors.share_pct(structure, "high_tech_share"),
        "strict": registry_selectors.share_pct(structure, "strict_high_tech_share"),
        "companies": structure["total"]["companies"],
        "source": _("Busan factory registry (부산광역시 공장등록 현황) %(date)s")
        % {"date": (as_of["registry_date"] or as_of["filename"]) if as_of else "—"},
        "as_of": as_of["date"] if as_of else None,
        "basis": ksic.intensity_source(language),
    }


def _high_tech_trend(cx) -> list[dict]:
    """Both high-tech shares after each registry import (the structure the import recorded)."""
    runs = ImportRun.objects.filter(complex=cx, ok=True, dry_run=False).order_by("started_at", "id")
    out = []
    for started, filename, structure in runs.values_list("started_at", "filename", "structure")[:60]:
        total = (structure or {}).get("total", {}).get("companies")
        if not total:
            continue
        out.append(
            {
                "date": timezone.localdate(started),
                "registry_date": registry_selectors.registry_date(filename),
                "companies": total,
                "broad": round(100 * structure.get("high_tech_share", 0), 1),
                "strict": round(100 * structure.get("strict_high_tech_share", 0), 1),
            }
        )
    return out


@login_required
def dashboard(request):
    """A person's home: an officer's "needs action" (the officer panels), a company's own figures
    (the company panels) with its transition stage, then the complex at a glance."""
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    is_officer = viewer.is_officer_of(cx.pk)
    action_rows = []
    if is_officer:
        composed = figures.sections(viewer, cx, (("officer", _("Needs action")),))
        action_rows = figures.rows(composed)
    company_panels = spine.platform.panels_for(viewer, cx, "company") if viewer.company_org_ids else []
    my_companies = list(
        Company.objects.filter(organisation_id__in=viewer.company_org_ids, complex=cx).only(
            "id", "name", "complex_id", "organisation_id", "tech_intensity", "ksic_code"
        )
    )
    signals = spine.platform.signals(my_companies) if my_companies else {}
    context = {
        "complex": cx,
        "is_officer": is_officer,
        "todo": [r for r in action_rows if r.needs_action],
        "clear": [r for r in action_rows if not r.needs_action],
        "company_panels": company_panels,
        "my_companies": [(c, stages.stage_of(signals.get(c.pk, {}))) for c in my_companies],
        "complex_panels": spine.platform.panels_for(viewer, cx, "complex"),
        "recent_changes": core_selectors.audit_trail(viewer, cx)[:10] if is_officer else [],
        "role": viewer.role_label,
    }
    return render_page(request, "portal/dashboard.html", context)


def transition(request):
    """The complex's transition: the stage rule, companies per stage now and after each import."""
    cx = current_complex(request)
    when, now = stages.counted(cx)
    history = stages.stage_history(cx)
    total = sum(now.values())
    context = {
        "complex": cx,
        "stages": stages.STAGES,
        "now": [(s, now.get(s.key, 0), _pct(now.get(s.key, 0), total)) for s in stages.STAGES],
        "total": total,
        "counted": when,
        "history": [(day, [counts.get(s.key, 0) for s in stages.STAGES]) for day, counts in history],
        "parts": sorted(spine.platform.transitions, key=lambda t: (t.order, t.key)),
        "signal_keys": spine.SIGNAL_KEYS,
    }
    return render_page(request, "portal/transition.html", context)


def _pct(n: int, total: int) -> float:
    return round(100 * n / total, 1) if total else 0.0


def _signal_text(signal: spine.CompanySignal):
    """A signal's value as a reader says it: a technology level by its name, not its key."""
    from techvalley.registry.labels import INTENSITIES

    if signal.key == "tech_level":
        return INTENSITIES.get(signal.value, signal.value)
    return signal.value


def company_transition(request, pk: int):
    """One company's transition record: the timeline the apps give (each scoped to the viewer),
    and — for its own people and the officers — its stage and the signals behind it."""
    from techvalley.registry import permissions

    company = get_object_or_404(Company.objects.select_related("complex"), pk=pk)
    viewer = viewer_for(request.user)
    private = permissions.can_view_private(viewer, company)
    events = spine.platform.timeline(company, viewer)
    stage, signals = None, []
    if private:
        found = spine.platform.signals([company]).get(company.pk, {})
        stage = stages.stage_of(found)
        ordered = [found[k] for k in spine.SIGNAL_KEYS if k in found]
        ordered += [s for k, s in found.items() if k not in spine.SIGNAL_KEYS]
        signals = [(s, _signal_text(s)) for s in ordered]
    context = {
        "complex": company.complex,
        "company": company,
        "events": list(reversed(events)),
        "private": private,
        "stage": stage,
        "signals": signals,
        "stages": stages.STAGES,
    }
    return render_page(request, "portal/company_transition.html", context)


def _selected(request, name: str, allowed: set[str]) -> set[str] | None:
    values = [clean_text(v, name, max_length=100) for v in request.GET.getlist(name)]
    return {v for v in values if v in allowed} if values else None


def map_page(request):
    """The offline map: the layers the apps register, toggled and filtered by category, with a
    legend in the colours the points are drawn with; each point opens its record."""
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    layers = spine.platform.layers_for(viewer)
    chosen_layers = _selected(request, "layer", {la.key for la in layers})
    all_cats = {f"{la.key}:{k}" for la in layers for k, _l, _c in la.categories}
    chosen_cats = _selected(request, "cat", all_cats)
    drawn = []
    for la in layers:
        points = la.points(viewer, cx)
        counts: dict[str, int] = {}
        for p in points:
            counts[p.category] = counts.get(p.category, 0) + 1
        drawn.append(
            {
                "layer": la,
                "points": points,
                "on": chosen_layers is None or la.key in chosen_layers,
                "unplaced": la.unplaced(viewer, cx) if la.unplaced else 0,
                "legend": [
                    {
                        "key": k,
                        "label": label,
                        "colour": colour,
                        "count": counts.get(k, 0),
                        "on": chosen_cats is None or f"{la.key}:{k}" in chosen_cats,
                    }
                    for k, label, colour in la.categories
                ],
            }
        )
    context = {"complex": cx, "layers": drawn, "map": mapping.svg_layers(drawn)}
    return render_page(request, "portal/map.html", context)


def opendata_list(request):
    cx = current_complex(request)
    datasets = spine.platform.datasets_sorted()
    context = {"complex": cx, "datasets": [(ds, ds.updated(cx)) for ds in datasets], "formats": list(opendata.FORMATS)}
    return render_page(request, "portal/opendata.html", context)


def dataset_detail(request, key: str):
    cx = current_complex(request)
    ds = opendata.dataset_or_404(key)
    preview = []
    for i, row in enumerate(ds.rows(cx)):
        if i >= 10:
            break
        preview.append(row)
    context = {
        "complex": cx,
        "ds": ds,
        "updated": ds.updated(cx),
        "preview": preview,
        "formats": list(opendata.FORMATS),
    }
    return render_page(request, "portal/dataset.html", context)


def dataset_download(request, key: str, fmt: str):
    cx = current_complex(request)
    ds = opendata.dataset_or_404(key)
    body = opendata.render(ds, cx, fmt)
    response = HttpResponse(body, content_type=opendata.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{cx.slug}-{ds.key}.{fmt}"'
    return response


def dataset_dictionary(request, key: str):
    """The data dictionary alone (column, type, unit, description; source, licence, update date),
    as CSV: the file a district's open-data portal asks for beside the data."""
    cx = current_complex(request)
    ds = opendata.dataset_or_404(key)
    response = HttpResponse(opendata.dictionary_csv(ds, cx), content_type=opendata.FORMATS["csv"])
    response["Content-Disposition"] = f'attachment; filename="{cx.slug}-{ds.key}.dictionary.csv"'
    return response


def _officer_of_current_or_own(request):
    """The complex shown and its officer; an officer looking at another complex is taken to the
    report of their own (the menu entry is theirs wherever they are), anyone else gets a 403."""
    from django.shortcuts import redirect

    from techvalley.core.models import Complex

    cx = current_complex(request)
    viewer = viewer_for(request.user)
    if not viewer.is_officer_of(cx.pk) and viewer.officer_complex_ids:
        own = Complex.objects.filter(pk__in=viewer.officer_complex_ids).order_by("id").first()
        if own is not None:
            return cx, viewer, redirect(f"{request.path}?complex={own.slug}")
    return cx, officer_or_403(request, cx), None


def report_page(request):
    """The monthly report for officials: what it will contain, and its three documents."""
    cx, viewer, elsewhere = _officer_of_current_or_own(request)
    if elsewhere:
        return elsewhere
    built = report.build(viewer, cx)
    context = {"complex": cx, "report": built, "formats": list(report.FORMATS)}
    return render_page(request, "portal/report.html", context)


def report_download(request, fmt: str):
    cx, viewer, elsewhere = _officer_of_current_or_own(request)
    if elsewhere:
        return elsewhere
    if fmt not in report.FORMATS:
        raise Http404("형식은 pdf, xlsx, hwpx 중 하나입니다. / The format is one of pdf, xlsx, hwpx.")
    built = report.build(viewer, cx, base_url=request.build_absolute_uri("/"))
    body = report.render(built, fmt)
    response = HttpResponse(body, content_type=report.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{cx.slug}-monthly-{built.generated:%Y-%m}.{fmt}"'
    return response
