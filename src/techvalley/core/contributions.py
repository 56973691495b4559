"""What core contributes through the spine: sign-in pages, the audit trail, the core API."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

spine.pages("", "techvalley.core.urls")
spine.api("/core", "techvalley.core.api.router")
spine.nav(
    spine.NavEntry(
        "audit", _("Audit trail"), "core:audit_list", lambda v: v.is_officer_here, order=90, group="officer"
    ),
)

A = spine.Access
spine.access(
    "core",
    [
        A("core:login", spine.ANYONE, note="signed-in users are sent on to the page they asked for"),
        A("core:audit_list", spine.OFFICERS),
        A(
            "core:link_add",
            spine.OFFICERS,
            method="POST",
            body=lambda objects, side: {
                "source_type": "core.Organisation",
                "source_id": objects["organisation"][side]["pk"],
                "type": "no-such-type",
                "target": "1",
            },
            note="officers get 400 here: the type is unknown (the link itself is tested in test_links)",
        ),
        A("core:link_remove", spine.OFFICERS, obj="record_link", method="POST"),
        A("core:link_candidates", spine.OFFICERS, params={"query": {"type": "no-such-type"}}),
        A("core:my_data", spine.SIGNED_IN, note="a person's own data as JSON"),
        A("core:search", spine.ANYONE, params={"query": {"q": "<script>"}}),
        A("api:GET /core/me", spine.ANYONE),
        A("api:GET /core/audit", spine.OFFICERS),
    ],
)
