"""What the portal contributes through the spine: the front page and each person's dashboard."""

from django.utils.translation import gettext_lazy as _

from techvalley.core import spine

spine.pages("", "techvalley.portal.urls")
spine.nav(
    spine.NavEntry("home", _("Home"), "portal:home", order=0),
    spine.NavEntry("dashboard", _("Dashboard"), "portal:dashboard", lambda v: v.is_authenticated, order=10),
)

spine.access(
    "portal",
    [
        spine.Access("portal:home", spine.ANYONE),
        spine.Access("portal:dashboard", spine.SIGNED_IN, note="each role sees the panels it may see"),
    ],
)
