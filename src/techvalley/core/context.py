"""Template context: the viewer (roles), the menus the apps contributed through the spine, and the
complex switcher of the header."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import Http404
from django.utils.functional import SimpleLazyObject

from techvalley.core import spine
from techvalley.core.scoping import Viewer, viewer_for
from techvalley.core.validation import BadInput

#: Complexes the switcher lists by name at most; beyond that it lists the viewer's own and links
#: to the list of all complexes (KICOX manages over 1,300: no menu of 1,300 entries on every page).
SWITCHER_MAX = 40


@dataclass(frozen=True)
class Switcher:
    """What the header's complex switcher shows."""

    current: object | None  # the Complex the page is about (None when it could not be told)
    own: list  # the viewer's own complexes
    others: list  # the other complexes listed (at most SWITCHER_MAX in all)
    total: int  # complexes of the installation
    more: bool  # some complexes are not listed: the list page has them all

    @property
    def shown(self) -> bool:
        return self.total > 1


def page_complex(request):
    """The complex the page is about, or None when the request names an unknown one (this may
    be its error page) or there is no complex yet."""
    from techvalley.core.views import current_complex

    current = getattr(request, "_techvalley_complex", None)
    if current is None:
        try:
            current = current_complex(request)
        except (Http404, BadInput):
            current = None
    return current


def complex_switcher(request, viewer: Viewer) -> Switcher:
    """The complexes to offer: the viewer's own first, then the others by name (two queries)."""
    from techvalley.core.models import Complex

    current = page_complex(request)
    total = Complex.objects.count()
    if total <= 1:
        return Switcher(current, [], [], total, False)
    fields = ("id", "slug", "name")
    own = list(Complex.objects.filter(pk__in=viewer.complex_ids).only(*fields).order_by("name"))
    seen = {c.pk for c in own}
    others = list(
        Complex.objects.exclude(pk__in=seen).only(*fields).order_by("name")[: max(SWITCHER_MAX - len(own), 0)]
    )
    if current is not None and current.pk not in seen and all(c.pk != current.pk for c in others):
        others.insert(0, current)
    return Switcher(current, own, others, total, len(own) + len(others) < total)


def viewer(request):
    v = viewer_for(getattr(request, "user", None))
    if v.is_officer and not v.is_superuser:  # menus of officers depend on the complex of the page
        current = page_complex(request)
        if current is not None:
            v = replace(v, here=current.pk)
    return {
        "viewer": v,
        "nav_main": spine.platform.menu(v, "main"),
        "nav_officer": spine.platform.menu(v, "officer"),
        # the list of all complexes (and their comparison), contributed by an app
        "nav_complexes": spine.platform.menu(v, "complexes"),
        "complex_switcher": SimpleLazyObject(lambda: complex_switcher(request, v)),
    }
