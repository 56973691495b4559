"""Template context: the viewer (roles) and the complex the pages are about."""

from techvalley.core.scoping import viewer_for


def viewer(request):
    return {"viewer": viewer_for(getattr(request, "user", None))}
