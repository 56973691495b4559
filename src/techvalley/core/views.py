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
from techvalley.core.validation import clean_text, page_param

#: The session key that remembers the complex a person chose (the header's switcher, ?complex=).
SESSION_KEY = "techvalley_complex"


def current_complex(request: HttpRequest) -> Complex:
    """The complex a page is about, the same for every page of a request:

    ``?complex=slug`` (remembered in the session, so the next pages stay on it); else the complex
    remembered in the session; else the installation's default (``complex_for``); else the
    oldest. An unknown slug is a 404 with the site's page, never a 500. (A person's own complexes
    head the header's switcher; the page does not move to them by itself, so a link means the
    same complex for everyone who follows it.)
    """
    cached = getattr(request, "_techvalley_complex", None)
    if cached is not None:
        return cached
    slug = request.GET.get("complex")
    session = getattr(request, "session", None)
    cx = None
    if slug:
        slug = clean_text(slug, "complex", max_length=50).strip()
        cx = selectors.complex_for(slug)
        if cx is None:
            raise Http404(
                _("There is no industrial complex “%(slug)s”. Choose one from the list of complexes.") % {"slug": slug}
            )
        if session is not None and session.get(SESSION_KEY) != cx.slug:
            session[SESSION_KEY] = cx.slug
    elif session is not None and session.get(SESSION_KEY):
        cx = selectors.complex_for(session[SESSION_KEY])
        if cx is None:  # the complex was renamed or removed since: forget it
            del session[SESSION_KEY]
    if cx is None:
        cx = selectors.complex_for(None) or Complex.objects.order_by("id").first()
    if cx is None:
        raise Http404(
            "산업단지가 아직 없습니다. `techvalley setup` 또는 `techvalley complex add`로 추가하세요. "
            "/ No complex yet: add one with `techvalley setup` or `techvalley complex add`."
        )
    request._techvalley_complex = cx
    return cx


def render_page(request: HttpRequest, template: str, context: dict, partial: str | None = None):
    """The one place that decides between an HTMX partial and the full page."""
    if partial and getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, partial, context)
    return render(request, template, context)


def officer_or_403(request: HttpRequest, cx: Complex):
    viewer = viewer_for(request.user)
    if not viewer.is_officer_of(cx.pk):
        if viewer.is_officer:  # an officer, but of other complexes: say so, and where to go
            raise PermissionDenied(
                f"{cx.name} 단지의 담당자만 볼 수 있습니다. 담당하는 단지로 전환하세요. / "
                f"Officers of {cx.name} only: switch to a complex you are an officer of."
            )
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
