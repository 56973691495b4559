"""Sign-in and the audit trail. Shared view helpers live here too."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponseServerError
from django.shortcuts import render
from django.utils.translation import gettext as _

from techvalley.core import selectors
from techvalley.core.models import Complex
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import page_param


def current_complex(request: HttpRequest) -> Complex:
    """The complex a page is about: ?complex=slug, else the installation's default."""
    slug = request.GET.get("complex")
    cx = (slug and selectors.complex_for(slug)) or selectors.complex_for(None) or Complex.objects.order_by("id").first()
    if cx is None:
        raise Http404(
            "산업단지가 아직 없습니다. `techvalley setup` 또는 `techvalley complex add`로 추가하세요. "
            "/ No complex yet: add one with `techvalley setup` or `techvalley complex add`."
        )
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
    """The audit trail for an officer: filters (who, kind of record, action, company, dates),
    bounded pages, and each change in words (field names, choice labels, related records' names)."""
    cx = current_complex(request)
    viewer = officer_or_403(request, cx)
    filters = selectors.AuditFilters.from_params(request.GET)
    number = page_param(request.GET.get("page"))
    qs = selectors.audit_trail(viewer, cx, filters=filters)
    page = Paginator(qs, settings.TECHVALLEY_PAGE_SIZE).get_page(number)
    context = {
        "complex": cx,
        "page": page,
        "entries": selectors.describe_entries(page.object_list),
        "filters": filters,
        "choices": selectors.audit_choices(viewer, cx),
        "company_found": bool(selectors.company_ids(cx, filters.company)) if filters.company else None,
    }
    return render_page(request, "core/audit.html", context)


def _error_page(request, status: int, exception=None):
    message = ""
    if isinstance(exception, RequestDataTooBig):
        status = 413
        message = _("The request is too large. Send a smaller file or fewer rows at a time.")
    elif exception is not None and status in (403, 404):
        message = str(exception.args[0]) if getattr(exception, "args", None) and exception.args else ""
        if status == 404 and message.startswith(("No ", "Page not found")):
            message = ""  # Django's own wording names models and URL patterns: not for users
    if request.path.startswith("/api/"):  # the API's clients read JSON, in the API's error shape
        from django.http import JsonResponse

        codes = {400: "bad_input", 403: "forbidden", 404: "not_found", 413: "too_large"}
        text = message or {404: "찾을 수 없습니다. / not found."}.get(
            status, "요청을 처리할 수 없습니다. / bad request."
        )
        body = {"code": codes.get(status, "error"), "message": str(text), "field": None, "detail": None}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def error_403(request, exception=None):
    return _error_page(request, 403, exception)


def error_404(request, exception=None):
    return _error_page(request, 404, exception)


def error_500(request):
    # No database or context processors here: the failure may be theirs.
    from django.template import loader

    return HttpResponseServerError(loader.get_template("core/error_500.html").render({}))


def error_400(request, exception=None):
    return _error_page(request, 400, exception)
