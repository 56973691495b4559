"""What core contributes through the spine: sign-in pages, the audit trail, the core API."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

spine.pages("", "techvalley.core.urls")
spine.api("/core", "techvalley.core.api.router")
spine.nav(
    spine.NavEntry("audit", _("Audit trail"), "core:audit_list", lambda v: v.is_officer, order=90, group="officer"),
)

A = spine.Access
spine.access(
    "core",
    [
        A("core:login", spine.ANYONE, note="signed-in users are sent on to the page they asked for"),
        A("core:audit_list", spine.OFFICERS),
        A("api:GET /core/me", spine.ANYONE),
        A("api:GET /core/audit", spine.OFFICERS),
    ],
)
