"""Site search: every provider the apps registered with the spine, each scoped to the viewer."""

from techvalley.core import spine
from techvalley.core.scoping import viewer_for
from techvalley.core.validation import clean_text
from techvalley.core.views import current_complex, render_page

MIN_QUERY, MAX_QUERY = 1, 100


def search(request):
    cx = current_complex(request)
    query = clean_text(request.GET.get("q", ""), "q", max_length=MAX_QUERY).strip()
    results = spine.platform.run_search(viewer_for(request.user), cx, query, limit=10) if query else []
    return render_page(
        request,
        "core/search.html",
        {"complex": cx, "q": query, "results": results, "providers": spine.platform.search_providers},
    )
