"""Site search runs every registered provider with the viewer, so each sees only what it may."""

import pytest
from django.test import Client

from techvalley.core import spine


@pytest.fixture
def provider():
    def find(viewer, cx, query, limit):
        hits = [spine.SearchHit(f"공개 {query}", "/public/", "테스트")]
        if viewer.is_officer_of(cx.pk):
            hits.append(spine.SearchHit(f"내부 {query}", "/internal/", "테스트"))
        return hits[:limit]

    p = spine.SearchProvider("test-search", "테스트 검색", find, order=999)
    spine.search(p)
    yield p
    spine.platform.search_providers.remove(p)


@pytest.mark.django_db
def test_search_is_scoped_and_escaped(cx, world, provider):
    anonymous = Client().get("/search/", {"q": "<script>x</script>"}).content.decode()
    assert "공개 &lt;script&gt;x&lt;/script&gt;" in anonymous and "<script>x" not in anonymous
    assert "내부" not in anonymous
    officer = Client()
    officer.force_login(world["users"]["officer"])
    assert "내부 도금" in officer.get("/search/", {"q": "도금"}).content.decode()


@pytest.mark.django_db
def test_search_refuses_bad_queries(cx):
    assert Client().get("/search/", {"q": "x" * 101}).status_code == 400
    assert Client().get("/search/", {"q": "a\x00"}).status_code == 400
    assert Client().get("/search/").status_code == 200
