"""Template context: the viewer (roles) and the menus the apps contributed through the spine."""

from techvalley.core import spine
from techvalley.core.scoping import viewer_for


def viewer(request):
    v = viewer_for(getattr(request, "user", None))
    return {"viewer": v, "nav_main": spine.platform.menu(v, "main"), "nav_officer": spine.platform.menu(v, "officer")}
