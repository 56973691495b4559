"""``{% record_links obj links %}``: the links of a record, and for officers a form to add one.

Pass the list the view resolved with ``core.links.links_for_many`` (no query per row); without
it the tag resolves the record's own links.
"""

from django import template

from techvalley.core import links as core_links
from techvalley.core import spine
from techvalley.core.scoping import viewer_for

register = template.Library()


@register.inclusion_tag("core/_record_links.html", takes_context=True)
def record_links(context, source, resolved=None, public_only=False):
    request = context.get("request")
    viewer = viewer_for(getattr(request, "user", None))
    if resolved is None:
        resolved = core_links.links_for_many([source], public_only=public_only).get(source.pk, [])
    editable = not public_only and core_links.can_link_records(viewer, getattr(source, "complex_id", None))
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "source": source,
        "source_label": source._meta.label,
        "resolved": resolved,
        "editable": editable,
        "types": sorted(spine.platform.linkable_types.values(), key=lambda t: str(t.label)) if editable else [],
    }
