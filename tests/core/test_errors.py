"""Bad input gets a clear 4xx in one shape — JSON for the API, the site's layout for pages."""

import json

import pytest
from django.test import Client

from techvalley.core.models import ApiToken, AuditEntry
from tests.factories import CompanyFactory, MembershipFactory, OrganisationFactory, UserFactory


def api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"], body
    assert set(body) == {"code", "message", "field", "detail"}
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("body", ['{"text": NaN}', '{"text": Infinity}', "[-Infinity]", '{"text": "a\\u0000b"}'])
def test_api_refuses_non_finite_numbers_and_nul_bytes(body):
    r = Client().post("/api/plan/cards/parse", data=body, content_type="application/json")
    api_error(r, 400, "bad_input")


@pytest.mark.django_db
def test_api_refuses_deep_json_without_a_recursion_error():
    r = Client().post("/api/plan/cards/parse", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert "중첩" in api_error(r, 400, "bad_input")["message"]


@pytest.mark.django_db
def test_api_invalid_json_says_where():
    r = Client().post("/api/plan/cards/parse", data='{"text": ', content_type="application/json")
    assert "line 1" in api_error(r, 400, "bad_input")["message"]


@pytest.mark.django_db
def test_nul_byte_in_a_query_is_refused_on_api_and_pages():
    api_error(Client().get("/api/registry/companies", {"q": "a\x00"}), 400, "bad_input")
    page = Client().get("/registry/companies/", {"q": "\x00"})
    assert page.status_code == 400
    assert "제어 문자" in page.content.decode() and "<nav" in page.content.decode()


@pytest.mark.django_db
def test_huge_page_numbers_are_a_validation_error_not_a_crash():
    officer = UserFactory(username="auditor", is_superuser=True)
    c = Client()
    c.force_login(officer)
    body = api_error(c.get("/api/core/audit", {"page": "4611686018427387905"}), 422, "validation")
    assert body["field"] == "page"


@pytest.mark.django_db
def test_unknown_api_path_and_bad_token_answer_json():
    api_error(Client().get("/api/no-such-thing"), 404, "not_found")
    api_error(Client().get("/api/core/me", HTTP_AUTHORIZATION="Bearer nope"), 401, "unauthorized")


@pytest.mark.django_db
def test_oversized_body_is_413_json(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = Client().post("/api/plan/cards/parse", data=json.dumps({"text": "가" * 5000}), content_type="application/json")
    api_error(r, 413, "too_large")


def test_openapi_documents_the_error_responses():
    from techvalley.api import api

    schema = api.get_openapi_schema()
    assert "Error" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for status in ("400", "401", "403", "404", "409", "422"):
                assert status in op["responses"], (method, path, status)


@pytest.mark.django_db
def test_error_pages_use_the_site_layout_in_korean_and_english(cx):
    c = Client()
    page = c.get("/no-such-page/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "페이지를 찾을 수 없습니다" in html and "<nav" in html
    c.cookies["django_language"] = "en"
    assert "Page not found" in c.get("/no-such-page/").content.decode()
    c.force_login(UserFactory(username="no-role"))
    c.cookies["django_language"] = "ko"
    forbidden = c.get("/audit/")
    assert forbidden.status_code == 403
    assert "권한" in forbidden.content.decode() and "<nav" in forbidden.content.decode()


@pytest.mark.django_db
def test_writes_made_with_a_token_are_audited_as_the_tokens_user(cx):
    org = OrganisationFactory(complex=cx)
    company = CompanyFactory(complex=cx, organisation=org)
    manager = MembershipFactory(organisation=org, role="manager", user=UserFactory(username="token-manager")).user
    key = ApiToken.objects.create(user=manager, name="erp").key
    r = Client().patch(
        f"/api/registry/companies/{company.pk}/profile",
        data={"employees": 41},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert r.status_code == 200, r.content
    entry = AuditEntry.objects.filter(model="registry.Company", object_id=str(company.pk), action="update").latest("id")
    assert entry.actor == manager and entry.actor_label == "token-manager"
    # and the actor does not outlive the request
    from techvalley.core.audit import current_actor

    assert current_actor() == (None, "system")
