"""The complex's front door (public) and each person's dashboard."""

from django.contrib.auth.decorators import login_required

from techvalley.core import selectors as core_selectors
from techvalley.core.scoping import viewer_for
from techvalley.core.views import current_complex, render_page
from techvalley.portal.mapping import svg_map
from techvalley.registry import ksic
from techvalley.registry import selectors as registry_selectors
from techvalley.registry.models import Company


def _map(cx):
    rows = Company.objects.filter(complex=cx, in_registry=True, lon__isnull=False).values_list(
        "lon", "lat", "tech_intensity", "name"
    )
    return svg_map(list(rows))


def home(request):
    cx = current_complex(request)
    data = registry_selectors.structure(cx)
    context = {
        "complex": cx,
        "data": data,
        "map": _map(cx),
        "high_tech_pct": round(100 * data["high_tech_share"], 1),
        "intensities": ksic.INTENSITY_LABELS,
    }
    return render_page(request, "portal/home.html", context)


@login_required
def dashboard(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    context = {"complex": cx, "data": registry_selectors.structure(cx)}
    if viewer.is_officer_of(cx.pk):
        context["review_count"] = registry_selectors.review_queue(viewer, cx).count()
        context["recent_changes"] = core_selectors.audit_trail(viewer, cx)[:10]
        context["last_import"] = registry_selectors.imports(viewer, cx).first()
    context["my_companies"] = Company.objects.filter(organisation_id__in=viewer.org_ids).only("id", "name", "ksic_code")
    context["high_tech_pct"] = round(100 * context["data"]["high_tech_share"], 1)
    return render_page(request, "portal/dashboard.html", context)
