"""Pages for record links: add and remove (officers), and the candidate picker (HTMX)."""

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from techvalley.core import links
from techvalley.core.models import RecordLink
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput, int_param
from techvalley.core.views import current_complex, render_page


def _back(request, fallback: str = "/"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(target if ok and target else fallback)


def _source(request):
    label = request.POST.get("source_type", "")
    try:
        app_label, model = label.split(".", 1)
        ctype = ContentType.objects.get_by_natural_key(app_label, model.lower())
    except (ValueError, ContentType.DoesNotExist):
        raise BadInput(_("Unknown source record."), field="source_type") from None
    source_id = int_param(request.POST.get("source_id"), "source_id", lo=1)
    source = ctype.model_class()._default_manager.filter(pk=source_id).first() if source_id else None
    if source is None:
        raise Http404(_("No such record."))
    return source


@require_POST
def link_add(request):
    source = _source(request)
    viewer = viewer_for(request.user)
    if not links.can_link_records(viewer, getattr(source, "complex_id", None)):
        raise PermissionDenied(_("Only district officers link records."))
    link = links.link_record(
        viewer, source, request.POST.get("type", ""), request.POST.get("target"), request.POST.get("note", "")
    )
    messages.success(request, _("Linked: %(what)s") % {"what": links.linkable_type(link.target_type).label})
    return _back(request)


@require_POST
def link_remove(request, pk: int):
    link = get_object_or_404(RecordLink, pk=pk)
    viewer = viewer_for(request.user)
    if not links.can_link_records(viewer, link.complex_id):
        raise PermissionDenied(_("Only district officers remove links."))
    links.unlink_record(viewer, link)
    messages.success(request, _("Link removed."))
    return _back(request)


@require_GET
def link_candidates(request):
    viewer = viewer_for(request.user)
    cx = current_complex(request)
    if not links.can_link_records(viewer, cx.pk):
        raise PermissionDenied(_("Only district officers link records."))
    options = links.candidates(request.GET.get("type", ""), cx, request.GET.get("q", ""))
    return render_page(request, "core/_link_candidates.html", {"options": options})
