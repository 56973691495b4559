"""Expertise on the web: the import of the expertise file with a preview before anything is written,
and the page where an expert (or the liaison office, or an officer, on the expert's behalf)
switches the public profile on or off, keeping the record of consent."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techvalley.collaboration import permissions, selectors, services
from techvalley.core.forms import BilingualErrors
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import BadInput
from techvalley.core.views import current_complex, render_page

#: Rows of a preview shown in full; the rest are counted.
PREVIEW_ROWS = 200


def expert_import(request):
    """Upload → preview (what would be created and changed, nothing written) → import.

    The uploaded file is kept under its SHA-256 until it is confirmed, and the import then runs
    on exactly the file previewed: validated whole again, written in one transaction."""
    cx = current_complex(request)
    viewer = viewer_for(request.user)
    if not permissions.can_import_experts(viewer, cx):
        raise PermissionDenied(_("Only district officers may do this."))
    context = {"complex": cx, "preview": None, "summary": None, "error": None}
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("token"):
                token = request.POST["token"]
                if request.POST.get("cancel"):
                    services.discard_upload(cx, token)
                    return redirect("collaboration:expert_import")
                data, name = services.staged_upload(cx, token)
                summary = services.import_experts(cx, data, filename=name, source=request.POST.get("filename", name))
                services.discard_upload(cx, token)
                context["summary"] = summary.as_dict()
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise BadInput("파일을 고르세요. / choose a file.", field="file")
                services.check_size(upload.size, services.MAX_IMPORT_BYTES, upload.name)
                data = upload.read()
                preview = services.import_experts(cx, data, filename=upload.name, dry_run=True)
                context["preview"] = _preview(preview)
                context["token"] = services.stage_upload(cx, data, upload.name)
                context["filename"] = upload.name[:200]
        except BadInput as exc:
            context["error"] = exc.message
            status = exc.status
    response = render_page(request, "collaboration/expert_import.html", context)
    response.status_code = status
    return response


def _preview(summary) -> dict:
    created = [
        {"ref": ref, "org": row["org"], "unit": row["unit"], "name": row["name"], "fields": row["fields"]}
        for ref, row in list(summary.new_items.items())[:PREVIEW_ROWS]
    ]
    updated = [
        {"ref": ref, "changes": [(key, before, after) for key, (before, after) in diff.items()]}
        for ref, diff in list(summary.changes.items())[:PREVIEW_ROWS]
    ]
    return {
        "counts": summary.as_dict(),
        "created": created,
        "updated": updated,
        "more_created": max(len(summary.new_items) - PREVIEW_ROWS, 0),
        "more_updated": max(len(summary.changes) - PREVIEW_ROWS, 0),
    }


class ConsentForm(BilingualErrors, forms.Form):
    consent = forms.TypedChoiceField(
        label=gettext_lazy("Public profile"),
        choices=[("1", gettext_lazy("Show my profile to the public")), ("0", gettext_lazy("Do not show it"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label=gettext_lazy("How the consent was obtained"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Required on the expert's behalf: e.g. 서면 동의서 2026-11-20, 전자우편 회신"),
    )
    account = forms.CharField(
        label=gettext_lazy("The expert's own sign-in (user name)"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("So that the expert can switch it themselves"),
    )


def expert_consent(request, pk: int):
    viewer = viewer_for(request.user)
    expert = selectors.expert(viewer, pk)
    role = permissions.consent_role(viewer, expert)
    if role is None:
        raise PermissionDenied(_("The expert, their liaison office and the district officers only."))
    initial = {"consent": "1" if expert.public_consent else "0"}
    if expert.account_id:
        initial["account"] = expert.account.get_username()
    form = ConsentForm(request.POST or None, initial=initial)
    if role == "self":
        del form.fields["account"]
        del form.fields["evidence"]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    if role == "behalf" and (d.get("account") or "") != initial.get("account", ""):
                        services.link_expert_account(expert, d.get("account") or "")
                    if d["consent"] != expert.public_consent:
                        services.set_expert_consent(
                            expert, d["consent"], on_behalf=role == "behalf", evidence=d.get("evidence", "")
                        )
                return redirect("collaboration:expert_consent", pk=expert.pk)
            except BadInput as exc:
                form.add_bad_input(exc)
                status = exc.status
    context = {"expert": expert, "form": form, "role": role, "records": expert.consents.all()[:50]}
    response = render_page(request, "collaboration/expert_consent.html", context)
    response.status_code = status
    return response
