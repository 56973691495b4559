"""The card page's "공개 화면" link leads to a public view that exists, or is not there."""

import pytest
from django.test import Client
from django.urls import reverse

from techvalley.projects import services


def _officer(world):
    c = Client()
    c.force_login(world["users"]["officer"])
    return c


def _public_link(html: str) -> str | None:
    marker = 'id="public-view"'
    if marker not in html:
        return None
    tag = html[html.rindex("<a ", 0, html.index(marker)) : html.index(">", html.index(marker))]
    return tag.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")


@pytest.mark.django_db
def test_subproject_public_link_leads_to_its_pledge_page(world, pledge):
    sub = services.add_subproject(pledge, "스마트공장 보급 <세부>")
    task = services.add_subproject(sub, "현장 점검 과제", kind="task")
    officer = _officer(world)
    for project in (pledge, sub, task):
        html = officer.get(reverse("projects:card_page", args=[project.pk])).content.decode()
        link = _public_link(html)
        assert link is not None, project
        assert link.split("#")[0] == reverse("projects:pledge_public", args=[pledge.pk])
        page = Client().get(link.split("#")[0])
        assert page.status_code == 200
        if project != pledge:
            anchor = link.split("#", 1)[1]
            body = page.content.decode()
            assert f'id="{anchor}"' in body
            assert "스마트공장 보급 &lt;세부&gt;" in body and "<세부>" not in body


@pytest.mark.django_db
def test_no_public_link_when_the_subproject_or_its_pledge_is_internal(world, pledge):
    sub = services.add_subproject(pledge, "비공개 세부사업")
    task = services.add_subproject(sub, "그 아래 과제", kind="task")
    services.publish_project(sub, False)
    officer = _officer(world)
    for project in (sub, task):
        html = officer.get(reverse("projects:card_page", args=[project.pk])).content.decode()
        assert _public_link(html) is None
    public = Client().get(reverse("projects:pledge_public", args=[pledge.pk])).content.decode()
    assert "비공개 세부사업" not in public and "그 아래 과제" not in public
    services.publish_project(sub, True)
    services.publish_project(pledge, False)
    for project in (pledge, sub, task):
        html = officer.get(reverse("projects:card_page", args=[project.pk])).content.decode()
        assert _public_link(html) is None


@pytest.mark.django_db
def test_plan_figures_carry_source_and_date(world, pledge):
    """ "실적 40.0% · 오늘 기준 계획 98.1%" names where each figure comes from and its date."""
    import re

    from django.utils import timezone

    listing = reverse("projects:pledge_list") + f"?complex={world['cx'].slug}"
    for url in (listing, reverse("projects:pledge_public", args=[pledge.pk])):
        html = Client().get(url).content.decode()
        assert 'class="source small provenance"' in html, url
        source = html[html.index('class="source small provenance"') :]
        source = source[: source.index("</div>")]
        assert f"관리카드 {pledge.management_no}" in source and "승인된 분기별" in source
        assert "관리카드의 연차별 추진계획" in source
        assert timezone.localtime(pledge.updated_at).date().isoformat() in source
        assert timezone.localdate().isoformat() in source
        assert re.search(r"기준 \d{4}-\d{2}-\d{2}", source)
