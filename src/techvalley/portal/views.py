"""The complex's front door (public) and each person's dashboard, composed of the panels the
apps contribute through the spine (the portal names no app's figures itself)."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext_lazy as _

from techvalley.core import selectors as core_selectors
from techvalley.core import spine
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
    viewer = viewer_for(request.user)
    data = registry_selectors.structure(cx)
    context = {
        "complex": cx,
        "data": data,
        "map": _map(cx),
        "intensities": ksic.INTENSITY_LABELS,
        "panels": spine.platform.panels_for(viewer, cx, "complex"),
    }
    return render_page(request, "portal/home.html", context)


@login_required
def dashboard(request):
    """An officer's home (what needs action, then the complex), a company's home (its own figures)."""
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    sections = []
    if viewer.is_officer_of(cx.pk):
        sections.append((_("Needs your attention"), spine.platform.panels_for(viewer, cx, "officer")))
    if viewer.company_org_ids:
        sections.append((_("My company"), spine.platform.panels_for(viewer, cx, "company")))
    sections.append((_("The complex at a glance"), spine.platform.panels_for(viewer, cx, "complex")))
    context = {
        "complex": cx,
        "sections": [(title, panels) for title, panels in sections if panels],
        "my_companies": Company.objects.filter(organisation_id__in=viewer.company_org_ids).only("id", "name"),
        "recent_changes": core_selectors.audit_trail(viewer, cx)[:10] if viewer.is_officer_of(cx.pk) else [],
    }
    return render_page(request, "portal/dashboard.html", context)
