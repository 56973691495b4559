"""Facilities pages: resources with free slots, the booking form, my bookings, a booking and its
actions, operators' approvals, month/week/day calendars, iCalendar feeds by secret token,
utilisation, invoices; courses, enrolment, attendance, certificates and their public check.

Reads go through ``facilities.selectors`` (scoped), writes through ``facilities.services``; who
may do what is ``facilities.permissions``. A broken booking rule is shown on the form, not as an
error page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techvalley.core import privacy
from techvalley.core.models import Organisation
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput, clean_text, int_param
from techvalley.core.views import current_complex, page_of, render_page
from techvalley.facilities import documents, forms, permissions, selectors, services
from techvalley.facilities.models import (
    Booking,
    Centre,
    Closure,
    Course,
    CourseSession,
    FeedToken,
    Invoice,
    Qualification,
    Resource,
    ResourceKind,
)


def _date(value, default: dt.date | None = None) -> dt.date:
    if not value:
        return default or timezone.localdate()
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise BadInput("date: YYYY-MM-DD", field="date") from None
    if not 2000 <= day.year <= 2100:
        raise BadInput("date: 2000–2100", field="date")
    return day


def _signed_in(request):
    if not request.user.is_authenticated:
        return None
    return viewer_for(request.user)


def _post_only(request):
    if request.method != "POST":
        raise PermissionDenied(_("Send this form with POST."))


# --- resources --------------------------------------------------------------------------------


def resource_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    kind = request.GET.get("kind", "")
    if kind not in ResourceKind.values:
        kind = ""
    query = clean_text(request.GET.get("q", ""), "q", max_length=100)
    operator = permissions.operates_any(viewer, cx)
    rows = list(selectors.resources(cx, kind, query, include_inactive=operator))
    return render_page(
        request,
        "facilities/resource_list.html",
        {
            "complex": cx,
            "centres": selectors.centres(cx),
            "resources": rows,
            "kinds": ResourceKind.choices,
            "kind": kind,
            "q": query,
            "operator": operator,
            "can_book": permissions.can_open_my_bookings(viewer, cx),
            "can_add_centre": permissions.can_add_centre(viewer, cx),
            "operated": set(selectors.operated_centres(viewer, cx).values_list("pk", flat=True)) if operator else set(),
        },
    )


def resource_detail(request, pk: int):
    viewer = viewer_for(request.user)
    res = selectors.resource(pk)
    day = _date(request.GET.get("date"))
    return render_page(
        request,
        "facilities/resource_detail.html",
        {
            "r": res,
            "day": day,
            "prev_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "day_info": selectors.slots(viewer, res, day),
            "can_book": permissions.can_book(viewer, res),
            "operator": permissions.is_operator(viewer, res.centre),
            "specs": sorted(res.specs.items()) if isinstance(res.specs, dict) else [],
            "feed_url": request.build_absolute_uri(reverse("facilities:resource_ics", args=[res.ical_token])),
        },
    )


def _booking_form_context(request, res, viewer, data, error=None, taken=False):
    return {
        "r": res,
        "data": data,
        "error": error,
        "taken": taken,
        "operator": permissions.can_override(viewer, res),
    }


def _default_end(res) -> str:
    """The form's end for its 10:00 start: the shortest booking the rules allow."""
    minutes = min(10 * 60 + (services.booking_length(res) or 60), 24 * 60 - 1)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def booking_new(request, pk: int):
    """The booking form (GET) and the booking (POST): a broken rule or a taken slot is shown on
    the form, with the waitlist offered for a taken slot."""
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    res = selectors.resource(pk)
    if not permissions.can_book(viewer, res):
        raise PermissionDenied(_("Only members of an organisation book."))
    day = _date(request.POST.get("date") or request.GET.get("date"))
    data = {
        "date": day.isoformat(),
        "start": (request.POST.get("start") or request.GET.get("start") or "10:00")[:5],
        "end": (request.POST.get("end") or request.GET.get("end") or _default_end(res))[:5],
        "purpose": request.POST.get("purpose", "")[:300],
        "weeks": request.POST.get("weeks", "1"),
        "override_reason": request.POST.get("override_reason", "")[:300],
    }
    if request.method != "POST":
        return render_page(request, "facilities/booking_form.html", _booking_form_context(request, res, viewer, data))
    start, end = f"{data['date']}T{data['start']}", f"{data['date']}T{data['end']}"
    try:
        if request.POST.get("waitlist"):
            services.join_waitlist(request.user, res, start, end, data["purpose"])
            messages.success(request, _("You are on the waitlist: if the slot frees up, it is offered to you."))
            return redirect("facilities:my_bookings")
        weeks = int_param(data["weeks"], "weeks", default=1, lo=1, hi=services.MAX_SERIES)
        kwargs = {"override_reason": data["override_reason"]}
        if weeks > 1:
            made = services.book_series(request.user, res, start, end, data["purpose"], weeks=weeks, **kwargs)
        else:
            made = [services.book(request.user, res, start, end, data["purpose"], **kwargs)]
    except services.SlotTaken as exc:
        ctx = _booking_form_context(request, res, viewer, data, exc.message, taken=True)
        return render_page(request, "facilities/booking_form.html", ctx)
    except BadInput as exc:
        return render_page(
            request, "facilities/booking_form.html", _booking_form_context(request, res, viewer, data, exc.message)
        )
    messages.success(request, _("Booked: %(n)s.") % {"n": made[0].get_status_display()})
    return redirect("facilities:booking_detail", pk=made[0].pk)


def my_bookings(request):
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_open_my_bookings(viewer, current_complex(request)):
        raise PermissionDenied(_("Bookings belong to organisations: you are not a member of one."))
    cx = current_complex(request)
    now = timezone.now()
    qs = selectors.my_bookings(viewer, cx)
    from techvalley.facilities.models import WaitlistEntry

    org_id = permissions.booking_org_id(viewer)
    token = services.feed_token(org_id) if org_id else None
    return render_page(
        request,
        "facilities/my_bookings.html",
        {
            "complex": cx,
            "upcoming": qs.filter(end__gte=now).order_by("start")[:200],
            "past": page_of(request, qs.filter(end__lt=now).order_by("-start"), 50),
            "waiting": WaitlistEntry.objects.filter(organisation_id__in=viewer.org_ids, state="waiting", end__gte=now)
            .select_related("resource")
            .order_by("start"),
            "invoices": Invoice.objects.filter(organisation_id__in=viewer.org_ids).select_related("centre")[:24],
            "feed_url": request.build_absolute_uri(reverse("facilities:org_ics", args=[token.token])) if token else "",
            "history": selectors.support_history(viewer, org_id, cx) if org_id else None,
        },
    )


def booking_detail(request, pk: int):
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    b = selectors.booking(viewer, pk)
    now = timezone.now()
    operator = permissions.is_operator(viewer, b.resource.centre)
    return render_page(
        request,
        "facilities/booking_detail.html",
        {
            "b": b,
            "operator": operator,
            "can_cancel": b.is_live and b.start > now and permissions.can_cancel(viewer, b),
            "late": b.start - dt.timedelta(hours=b.resource.cancel_hours) < now,
            "can_accept": b.status == "offered" and b.organisation_id in viewer.org_ids,
            "can_decide": operator and b.status == "pending",
            "can_no_show": operator and b.status == "confirmed" and b.start <= now,
        },
    )


def booking_action(request, pk: int):
    """cancel (the organisation, operators), accept (an offer), approve / reject / no_show (operators)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(reverse("facilities:booking_detail", args=[pk]))
    b = selectors.booking(viewer, pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    if action in ("approve", "reject", "no_show", "show") and not permissions.is_operator(viewer, b.resource.centre):
        raise PermissionDenied(_("Operators only."))
    if action == "cancel":
        services.cancel(request.user, b)
        messages.success(request, _("Cancelled."))
    elif action == "accept":
        services.accept_offer(request.user, b)
        messages.success(request, _("Offer accepted."))
    elif action in ("approve", "reject"):
        services.decide(request.user, b, action == "approve", note)
        messages.success(request, _("Decision recorded."))
        if request.POST.get("next") == "approvals":
            return redirect("facilities:approvals")
    elif action in ("no_show", "show"):
        services.mark_no_show(request.user, b, action == "no_show")
        messages.success(request, _("Attendance recorded."))
    else:
        raise BadInput("action: cancel | accept | approve | reject | no_show", field="action")
    return redirect("facilities:booking_detail", pk=b.pk)


def approvals(request):
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    cx = current_complex(request)
    if not permissions.operates_any(viewer, cx):
        raise PermissionDenied(_("Operators only."))
    today = timezone.localdate()
    start = selectors.day_start(today)
    todays = selectors.bookings_for(viewer, cx).filter(
        resource__centre__in=selectors.operated_centres(viewer, cx),
        status="confirmed",
        start__gte=start,
        start__lt=start + dt.timedelta(days=1),
    )
    return render_page(
        request,
        "facilities/approvals.html",
        {
            "complex": cx,
            "pending": selectors.awaiting_approval(viewer, cx)[:200],
            "today": todays.order_by("start"),
            "centres": selectors.operated_centres(viewer, cx),
            "closures": Closure.objects.filter(
                centre__in=selectors.operated_centres(viewer, cx), last_day__gte=today
            ).select_related("centre", "resource")[:200],
            "month": today.replace(day=1) - dt.timedelta(days=1),
        },
    )


def invoice_issue(request):
    _post_only(request)
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(reverse("facilities:approvals"))
    cx = current_complex(request)
    centre_id = int_param(request.POST.get("centre"), "centre", lo=1)
    centre = selectors.operated_centres(viewer, cx).filter(pk=centre_id).first()
    if centre is None:
        raise PermissionDenied(_("Operators only."))
    month = _date((request.POST.get("month") or "")[:7] + "-01" if request.POST.get("month") else None)
    made = services.issue_invoices(request.user, centre, month)
    messages.success(request, _("%(n)d invoices issued.") % {"n": len(made)})
    return redirect("facilities:approvals")


def invoice_pdf(request, pk: int):
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    invoice = get_object_or_404(Invoice.objects.select_related("centre__operator", "organisation"), pk=pk)
    if not (invoice.organisation_id in viewer.org_ids or permissions.is_operator(viewer, invoice.centre)):
        raise PermissionDenied(_("Another organisation's invoice."))
    response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.pdf"'
    return response


# --- calendars and feeds ---------------------------------------------------------------------------


def calendar(request, pk: int):
    viewer = viewer_for(request.user)
    res = selectors.resource(pk)
    view = request.GET.get("view", "month")
    if view not in ("month", "week", "day"):
        view = "month"
    data = selectors.calendar(viewer, res, view, _date(request.GET.get("date")))
    return render_page(request, "facilities/calendar.html", {"r": res, "cal": data})


def resource_ics(request, token: str):
    res = Resource.objects.select_related("centre").filter(ical_token=token[:64]).first()
    if res is None:
        raise Http404(_("No such feed."))
    body = documents.ics(documents.feed_bookings(res.bookings.all()), res.name, show_who=False)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def org_ics(request, token: str):
    feed = FeedToken.objects.filter(token=token[:64]).first()
    if feed is None:
        raise Http404(_("No such feed."))
    org = Organisation.objects.get(pk=feed.organisation_id)
    body = documents.ics(documents.feed_bookings(Booking.objects.filter(organisation=org)), org.name, show_who=True)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def utilisation(request):
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    cx = current_complex(request)
    if not permissions.operates_any(viewer, cx):
        raise PermissionDenied(_("Operators only."))
    last = _date(request.GET.get("until"), timezone.localdate())
    first = _date(request.GET.get("from"), last - dt.timedelta(days=89))
    if first > last or (last - first).days > 731:
        raise BadInput(_("Choose at most two years, the first day before the last."), field="from")
    data = selectors.utilisation(viewer, cx, first, last)
    return render_page(
        request,
        "facilities/utilisation.html",
        {
            "complex": cx,
            "u": data,
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            "training": selectors.training_hours(viewer, cx),
        },
    )


# --- training -----------------------------------------------------------------------------------


def course_list(request):
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    rows = selectors.courses(viewer, cx).prefetch_related("sessions")
    return render_page(
        request,
        "facilities/course_list.html",
        {"complex": cx, "courses": rows, "can_add_course": permissions.can_add_course(viewer, cx)},
    )


def course_detail(request, pk: int):
    viewer = viewer_for(request.user)
    c = selectors.course(viewer, pk)
    runs = permissions.can_run_course(viewer, c)
    sessions = list(c.sessions.select_related("room"))
    enrolments = list(selectors.enrolments_for(viewer, c)) if viewer.is_authenticated else []
    present = set()
    if runs:
        from techvalley.facilities.models import Attendance

        present = set(
            Attendance.objects.filter(session__course=c, present=True).values_list("enrolment_id", "session_id")
        )
    org_id = permissions.booking_org_id(viewer)
    return render_page(
        request,
        "facilities/course_detail.html",
        {
            "c": c,
            "sessions": sessions,
            "hours": sum(s.hours for s in sessions),
            "enrolments": enrolments,
            "runs": runs,
            "can_enrol": c.published and org_id is not None and permissions.can_enrol(viewer, org_id, c.complex_id),
            "taken": sum(1 for e in c.enrolments.all() if e.state in ("enrolled", "completed", "not_completed")),
            "grid": [[(e, s, (e.pk, s.pk) in present) for s in sessions] for e in enrolments] if runs else [],
            "questions": services.QUESTIONS,
        },
    )


def course_enrol(request, pk: int):
    _post_only(request)
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(reverse("facilities:course_detail", args=[pk]))
    c = get_object_or_404(Course, pk=pk)
    org_id = permissions.booking_org_id(viewer)
    if org_id is None or not permissions.can_enrol(viewer, org_id, c.complex_id):
        raise PermissionDenied(_("Managers enrol their employees."))
    e = services.enrol(request.user, c, request.POST.get("trainee_name", ""), request.POST.get("trainee_email", ""))
    messages.success(request, _("%(name)s: %(state)s.") % {"name": e.trainee_name, "state": e.get_state_display()})
    return redirect("facilities:course_detail", pk=c.pk)


def enrolment_cancel(request, pk: int):
    _post_only(request)
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login("/")
    e = selectors.enrolment(viewer, pk)
    if not (
        permissions.can_enrol(viewer, e.organisation_id, e.complex_id) or permissions.can_run_course(viewer, e.course)
    ):
        raise PermissionDenied(_("Managers and operators only."))
    services.cancel_enrolment(request.user, e)
    messages.success(request, _("Enrolment cancelled."))
    return redirect("facilities:course_detail", pk=e.course_id)


def session_attendance(request, pk: int):
    _post_only(request)
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login("/")
    s = get_object_or_404(CourseSession.objects.select_related("course__centre"), pk=pk)
    if not permissions.can_run_course(viewer, s.course):
        raise PermissionDenied(_("Operators only."))
    n = services.record_attendance(request.user, s, request.POST.getlist("present"))
    messages.success(request, _("Attendance recorded: %(n)d present.") % {"n": n})
    return redirect("facilities:course_detail", pk=s.course_id)


def course_complete(request, pk: int):
    _post_only(request)
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login("/")
    c = get_object_or_404(Course.objects.select_related("centre"), pk=pk)
    if not permissions.can_run_course(viewer, c):
        raise PermissionDenied(_("Operators only."))
    r = services.complete_course(request.user, c)
    messages.success(
        request, _("%(done)d completed, %(not)d did not.") % {"done": r["completed"], "not": r["not_completed"]}
    )
    return redirect("facilities:course_detail", pk=c.pk)


def satisfaction(request, pk: int):
    _post_only(request)
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login("/")
    e = selectors.enrolment(viewer, pk)
    services.answer_satisfaction(request.user, e, request.POST)
    messages.success(request, _("Thank you for your answers."))
    return redirect("facilities:course_detail", pk=e.course_id)


def certificate_pdf(request, pk: int):
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    e = selectors.enrolment(viewer, pk)
    if e.state != "completed":
        raise BadInput(_("Only a completed course has a certificate."), code="not_completed", status=409)
    url = request.build_absolute_uri(reverse("facilities:verify") + f"?code={e.certificate_code}")
    response = HttpResponse(documents.certificate_pdf(e, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{e.certificate_code}.pdf"'
    return response


def verify(request):
    """Public: is a certificate code genuine? (the trainee's name is partly masked)."""
    code = clean_text(request.GET.get("code", ""), "code", max_length=20)
    found = selectors.verify(code) if code else None
    return render_page(
        request,
        "facilities/verify.html",
        {"code": code, "e": found, "masked": privacy.mask_name(found.trainee_name) if found else ""},
    )


# --- the operators' forms: centres, resources, closures, qualifications, courses, sessions ---------

#: Service fields shown on the form under another name.
_FORM_FIELD = {"opens_minute": "opens_at", "closes_minute": "closes_at", "specs": "specs_text"}


def _form_page(request, form, save, *, title, back, intro=""):
    """Show ``form``; on a valid POST hand its data to ``save`` (a service): a ``BadInput`` goes
    on the field it names (or above the form), success returns to the record's page."""
    if request.method == "POST" and form.is_valid():
        try:
            obj, url = save(form.cleaned_data)
        except BadInput as exc:
            field = _FORM_FIELD.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(url)
    response = render_page(
        request, "facilities/form.html", {"form": form, "title": title, "back": back, "intro": intro}
    )
    if form.is_bound and form.errors:
        response.status_code = 422
    return response


def _operator_of(request, centre):
    viewer = _signed_in(request)
    if viewer is None:
        return None
    if not permissions.is_operator(viewer, centre):
        raise PermissionDenied(_("Operators only."))
    return viewer


def centre_new(request):
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    cx = current_complex(request)
    if not permissions.can_add_centre(viewer, cx):
        raise PermissionDenied(_("Only district officers add support centres."))
    form = forms.CentreForm(request.POST or None, organisations=Organisation.objects.filter(complex=cx))

    def save(data):
        c = services.save_centre(request.user, cx, data)
        return c, reverse("facilities:resource_list") + f"#centre-{c.pk}"

    return _form_page(request, form, save, title=_("New support centre"), back=reverse("facilities:resource_list"))


def centre_edit(request, pk: int):
    centre = get_object_or_404(Centre, pk=pk)
    viewer = _operator_of(request, centre)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    may_choose = permissions.can_choose_operator(viewer, centre)
    form = forms.CentreForm(
        request.POST or None,
        instance=centre,
        organisations=Organisation.objects.filter(complex_id=centre.complex_id),
        may_choose_operator=may_choose,
    )

    def save(data):
        c = services.save_centre(request.user, None, data, centre)
        return c, reverse("facilities:resource_list") + f"#centre-{c.pk}"

    return _form_page(
        request, form, save, title=_("Edit %(name)s") % {"name": centre.name}, back=reverse("facilities:resource_list")
    )


def resource_new(request, pk: int):
    centre = get_object_or_404(Centre, pk=pk)
    if _operator_of(request, centre) is None:
        return redirect_to_login(request.get_full_path())
    form = forms.ResourceForm(request.POST or None)

    def save(data):
        r = services.save_resource(request.user, centre, data)
        return r, r.get_absolute_url()

    return _form_page(
        request,
        form,
        save,
        title=_("New room or equipment at %(centre)s") % {"centre": centre.name},
        back=reverse("facilities:resource_list"),
    )


def resource_edit(request, pk: int):
    res = get_object_or_404(Resource.objects.select_related("centre"), pk=pk)
    if _operator_of(request, res.centre) is None:
        return redirect_to_login(request.get_full_path())
    form = forms.ResourceForm(request.POST or None, instance=res)

    def save(data):
        r = services.save_resource(request.user, res.centre, data, res)
        return r, r.get_absolute_url()

    return _form_page(request, form, save, title=_("Edit %(name)s") % {"name": res.name}, back=res.get_absolute_url())


def closure_new(request, pk: int):
    centre = get_object_or_404(Centre, pk=pk)
    if _operator_of(request, centre) is None:
        return redirect_to_login(request.get_full_path())
    initial = {}
    if request.GET.get("resource"):
        initial["resource"] = int_param(request.GET.get("resource"), "resource", lo=1)
    form = forms.ClosureForm(request.POST or None, centre=centre, initial=initial)

    def save(data):
        c = services.save_closure(request.user, centre, data)
        return c, reverse("facilities:approvals") + "#closures"

    return _form_page(
        request,
        form,
        save,
        title=_("New closure at %(centre)s") % {"centre": centre.name},
        back=reverse("facilities:approvals"),
        intro=_("Bookings already made on these days stay; cancel them from the calendar if needed."),
    )


def closure_edit(request, pk: int):
    closure = get_object_or_404(Closure.objects.select_related("centre"), pk=pk)
    if _operator_of(request, closure.centre) is None:
        return redirect_to_login(request.get_full_path())
    form = forms.ClosureForm(request.POST or None, centre=closure.centre, instance=closure)

    def save(data):
        c = services.save_closure(request.user, closure.centre, data, closure)
        return c, reverse("facilities:approvals") + "#closures"

    return _form_page(
        request,
        form,
        save,
        title=_("Edit closure: %(reason)s") % {"reason": closure.reason},
        back=reverse("facilities:approvals"),
    )


def qualification_list(request, pk: int):
    """The people qualified to book a piece of equipment, and the form granting it (operators)."""
    res = get_object_or_404(Resource.objects.select_related("centre"), pk=pk)
    if _operator_of(request, res.centre) is None:
        return redirect_to_login(request.get_full_path())
    form = forms.QualificationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            q = services.grant_qualification_to(
                request.user, res, form.cleaned_data["person"], form.cleaned_data["note"]
            )
        except BadInput as exc:
            form.add_bad_input(exc)
        else:
            messages.success(request, _("%(person)s may now book %(resource)s.") % {"person": q.user, "resource": res})
            return redirect("facilities:qualification_list", pk=res.pk)
    if form.is_bound and form.errors:
        status = 422
    rows = res.qualifications.select_related("user").order_by("user__username")
    response = render_page(request, "facilities/qualifications.html", {"r": res, "form": form, "rows": rows})
    response.status_code = status
    return response


def qualification_revoke(request, pk: int):
    _post_only(request)
    q = get_object_or_404(Qualification.objects.select_related("resource__centre", "user"), pk=pk)
    if _operator_of(request, q.resource.centre) is None:
        return redirect_to_login(reverse("facilities:qualification_list", args=[q.resource_id]))
    services.revoke_qualification(request.user, q)
    messages.success(request, _("Qualification withdrawn."))
    return redirect("facilities:qualification_list", pk=q.resource_id)


def _course_choices(viewer, complex_id):
    centres = Centre.objects.filter(complex_id=complex_id)
    if not viewer.is_officer_of(complex_id):
        centres = centres.filter(operator_id__in=viewer.org_ids)
    equipment = Resource.objects.filter(complex_id=complex_id, kind="equipment").select_related("centre")
    return {"centres": centres, "equipment": equipment}


def course_new(request):
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    cx = current_complex(request)
    if not permissions.can_add_course(viewer, cx):
        raise PermissionDenied(_("Operators only."))
    form = forms.CourseForm(request.POST or None, **_course_choices(viewer, cx.pk))

    def save(data):
        c = services.save_course(request.user, cx, data)
        return c, c.get_absolute_url()

    return _form_page(
        request,
        form,
        save,
        title=_("New training course"),
        back=reverse("facilities:course_list"),
        intro=_("Add its sessions on the course's page once it is saved."),
    )


def course_edit(request, pk: int):
    course = get_object_or_404(Course.objects.select_related("centre"), pk=pk)
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_run_course(viewer, course):
        raise PermissionDenied(_("Operators only."))
    form = forms.CourseForm(request.POST or None, instance=course, **_course_choices(viewer, course.complex_id))

    def save(data):
        c = services.save_course(request.user, None, data, course)
        return c, c.get_absolute_url()

    return _form_page(
        request, form, save, title=_("Edit %(name)s") % {"name": course.title}, back=course.get_absolute_url()
    )


def _rooms(complex_id):
    return Resource.objects.filter(complex_id=complex_id).exclude(kind="equipment").select_related("centre")


def session_new(request, pk: int):
    course = get_object_or_404(Course.objects.select_related("centre"), pk=pk)
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_run_course(viewer, course):
        raise PermissionDenied(_("Operators only."))
    form = forms.SessionForm(request.POST or None, rooms=_rooms(course.complex_id))

    def save(data):
        s = services.save_session(request.user, course, data)
        return s, course.get_absolute_url()

    return _form_page(
        request,
        form,
        save,
        title=_("New session of %(course)s") % {"course": course.title},
        back=course.get_absolute_url(),
        intro=_("Times are Korean time (Asia/Seoul)."),
    )


def session_edit(request, pk: int):
    session = get_object_or_404(CourseSession.objects.select_related("course__centre"), pk=pk)
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_run_course(viewer, session.course):
        raise PermissionDenied(_("Operators only."))
    form = forms.SessionForm(request.POST or None, instance=session, rooms=_rooms(session.course.complex_id))

    def save(data):
        s = services.save_session(request.user, session.course, data, session)
        return s, session.course.get_absolute_url()

    return _form_page(
        request,
        form,
        save,
        title=_("Edit session of %(course)s") % {"course": session.course.title},
        back=session.course.get_absolute_url(),
        intro=_("Times are Korean time (Asia/Seoul)."),
    )


# --- invoices and satisfaction ------------------------------------------------------------------


def invoice_list(request):
    """Invoices: every one of the complex for its officers, a centre's for its operators, an
    organisation's own for its members; filters and an Excel download (``?format=xlsx``)."""
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    cx = current_complex(request)
    if not permissions.can_open_invoices(viewer, cx):
        raise PermissionDenied(_("Invoices belong to organisations: you are not a member of one here."))
    filters = selectors.InvoiceFilters.from_params(request.GET)
    qs = selectors.invoices_for(viewer, cx, filters)
    if request.GET.get("format") == "xlsx":
        rows = list(qs[:20_000])
        body = documents.invoices_xlsx(rows, f"{cx.name} 청구서 / Invoices")
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="invoices-{timezone.localdate():%Y%m%d}.xlsx"'
        return response
    sees_others = viewer.is_officer_of(cx.pk) or permissions.operates_any(viewer, cx)
    return render_page(
        request,
        "facilities/invoice_list.html",
        {
            "complex": cx,
            "page": page_of(request, qs, 50),
            "filters": filters,
            "centres": Centre.objects.filter(complex=cx).order_by("name"),
            "sees_others": sees_others,
            "query": request.GET.urlencode(),
        },
    )


def satisfaction_summary(request):
    """Course evaluations: the average of each question per course and over all, with the
    number of answers (the courses' operators)."""
    viewer = _signed_in(request)
    if viewer is None:
        return redirect_to_login(request.get_full_path())
    cx = current_complex(request)
    if not permissions.can_add_course(viewer, cx):
        raise PermissionDenied(_("Operators only."))
    return render_page(
        request, "facilities/satisfaction_summary.html", {"complex": cx, "s": selectors.satisfaction(viewer, cx)}
    )
