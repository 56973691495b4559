"""Sign-in and the audit trail. Shared view helpers live here too."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import render

from techvalley.core import selectors
from techvalley.core.models import Complex
from techvalley.core.scoping import viewer_for


def current_complex(request: HttpRequest) -> Complex:
    """The complex a page is about: ?complex=slug, else the installation's default."""
    slug = request.GET.get("complex") or settings.TECHVALLEY_DEFAULT_COMPLEX
    cx = Complex.objects.filter(slug=slug).first() or Complex.objects.order_by("id").first()
    if cx is None:
        raise Http404("산업단지가 아직 없습니다. `techvalley demo` 또는 관리 화면에서 추가하세요. / No complex yet.")
    return cx


def render_page(request: HttpRequest, template: str, context: dict, partial: str | None = None):
    """The one place that decides between an HTMX partial and the full page."""
    if partial and getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, partial, context)
    return render(request, template, context)


def officer_or_403(request: HttpRequest, cx: Complex):
    viewer = viewer_for(request.user)
    if not viewer.is_officer_of(cx.pk):
        raise PermissionDenied("구청 담당자만 볼 수 있습니다. / District officers only.")
    return viewer


def page_of(request: HttpRequest, qs, per_page: int | None = None):
    return Paginator(qs, per_page or settings.TECHVALLEY_PAGE_SIZE).get_page(request.GET.get("page"))


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def audit_list(request):
    cx = current_complex(request)
    viewer = officer_or_403(request, cx)
    qs = selectors.audit_trail(viewer, cx, request.GET.get("model", ""), request.GET.get("object_id", ""))
    return render_page(request, "core/audit.html", {"complex": cx, "page": page_of(request, qs)})
