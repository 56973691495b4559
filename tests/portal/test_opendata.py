"""Open data: every registered dataset as CSV, Parquet and JSON with its dictionary; nothing
personal in any of them; the export command writes what the portal serves."""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.urls import reverse

from techvalley.core import spine
from tests.factories import CompanyFactory, ContactFactory
from tests.portal.conftest import registered

PERSONAL_COLUMNS = re.compile(
    r"phone|tel|fax|mobile|e.?mail|representative|ceo|owner_name|contact|person|brn|business_?(no|number|reg)"
    r"|corporate_?(no|number)|resident|birth",
    re.I,
)
PERSONAL_VALUES = [
    ("phone", re.compile(r"(?<![\d.])0\d{1,2}[-) .]?\d{3,4}[- .]?\d{4}(?![\d.])")),
    ("e-mail", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("business number", re.compile(r"(?<![\d.])\d{3}-?\d{2}-?\d{5}(?![\d.])")),
    ("corporate number", re.compile(r"(?<![\d.])\d{6}-?\d{7}(?![\d.])")),
]


def personal_findings(cx, datasets, names) -> list:
    """Every personal column name, pattern or known personal value in the datasets' rows."""
    found = []
    for ds in datasets:
        for c in ds.columns:
            if PERSONAL_COLUMNS.search(c.name):
                found.append((ds.key, "column", c.name))
        for row in ds.rows(cx):
            for value in row:
                if value is None or isinstance(value, (int, float)):
                    continue
                text = str(value)
                for what, pattern in PERSONAL_VALUES:
                    if pattern.search(text):
                        found.append((ds.key, what, text))
                for name in names:
                    if name in text:
                        found.append((ds.key, "name", text))
    return found


@pytest.fixture
def personal(world):
    """Companies carrying every kind of personal data the platform keeps."""
    cx = world["cx"]
    c = CompanyFactory(
        complex=cx, representative="대표자홍판서", brn="1234567891", corporate_no="1101111234567", tech_intensity="high"
    )
    ContactFactory(company=c, name="담당자성춘향", phone="051-987-6543", email="chunhyang@example.kr")
    for company in (world["a"], world["b"]):
        type(company).objects.filter(pk=company.pk).update(representative="대표자이몽룡", brn="2208162517")
    return [
        "대표자홍판서",
        "대표자이몽룡",
        "담당자성춘향",
        "김민준",
        "이서연",
        "1234567891",
        "2208162517",
        "1101111234567",
    ]


@pytest.mark.django_db
def test_no_registered_dataset_holds_personal_data(world, personal):
    datasets = spine.platform.datasets_sorted()
    assert {"registry.companies", "registry.industry_structure"} <= {d.key for d in datasets}
    assert personal_findings(world["cx"], datasets, personal) == []


@pytest.mark.django_db
def test_the_personal_data_check_finds_a_leak(world, personal):
    """The check itself: a dataset that leaks contacts is caught, by column and by value."""
    from techvalley.registry.models import Contact

    leak = spine.Dataset(
        "test.leak",
        "leak",
        "a dataset that must fail",
        (spine.Column("company", "string", "company"), spine.Column("note", "string", "free text")),
        lambda cx: [(c.company.name, f"{c.name} {c.phone} {c.email}") for c in Contact.objects.filter(complex=cx)],
        lambda cx: None,
    )
    found = personal_findings(world["cx"], [leak], personal)
    kinds = {what for _k, what, _t in found}
    assert {"phone", "e-mail", "name"} <= kinds
    assert personal_findings(
        world["cx"],
        [spine.Dataset("t", "t", "t", (spine.Column("contact_phone", "string", "x"),), lambda cx: [], lambda cx: None)],
        [],
    ) == [("t", "column", "contact_phone")]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["registry.companies", "registry.industry_structure"])
def test_each_format_holds_the_same_rows_and_the_dictionary(world, key):
    cx = world["cx"]
    ds = spine.platform.datasets[key]
    expected = [list(r) for r in ds.rows(cx)]
    names = [c.name for c in ds.columns]
    c = Client()
    r = c.get(reverse("portal:dataset_download", args=[key, "csv"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == names and len(rows) == len(expected) + 1
    doc = json.loads(c.get(reverse("portal:dataset_download", args=[key, "json"])).content)
    assert [col["name"] for col in doc["columns"]] == names and all(col["description"] for col in doc["columns"])
    assert doc["licence"].startswith("공공누리") and doc["updated"] and doc["source"]
    assert [[row[n] for n in names] for row in doc["rows"]] == expected
    table = pq.read_table(io.BytesIO(c.get(reverse("portal:dataset_download", args=[key, "parquet"])).content))
    assert table.column_names == names and table.num_rows == len(expected)
    assert [list(r.values()) for r in table.to_pylist()] == expected
    meta = json.loads(table.schema.metadata[b"techvalley.dictionary"])
    assert meta["key"] == key
    page = c.get(reverse("portal:dataset", args=[key])).content.decode()
    assert all(f"<code>{n}</code>" in page for n in names) and "공공누리" in page
    # the dictionary alone, as the export writes it, linked from the page
    d = c.get(reverse("portal:dataset_dictionary", args=[key]))
    assert d.status_code == 200 and d["Content-Disposition"].endswith(f'{key}.dictionary.csv"')
    described = list(csv.reader(io.StringIO(d.content.decode("utf-8-sig"))))
    assert described[0] == ["column", "type", "unit", "description"]
    assert [r[0] for r in described[1:]] == names and all(r[3] for r in described[1:])
    assert reverse("portal:dataset_dictionary", args=[key]) in page
    assert c.get(reverse("portal:dataset_dictionary", args=["no.such"])).status_code == 404


@pytest.mark.django_db
def test_markup_and_formulas_are_data_not_code(world):
    cx = world["cx"]
    CompanyFactory(complex=cx, name='=HYPERLINK("http://x")')
    text = (
        Client().get(reverse("portal:dataset_download", args=["registry.companies", "csv"])).content.decode("utf-8-sig")
    )
    assert "'=HYPERLINK" in text and "<script>alert(1)</script>" in text  # kept as text in the data
    page = Client().get(reverse("portal:dataset", args=["registry.companies"])).content.decode()
    assert "<script>alert(1)</script>" not in page


@pytest.mark.django_db
def test_unknown_dataset_or_format(world):
    c = Client()
    assert c.get("/opendata/nope.csv").status_code == 404
    assert c.get("/opendata/nope/").status_code == 404
    assert c.get("/opendata/registry.companies.xls", follow=True).status_code == 404


@pytest.mark.django_db
def test_a_dataset_another_app_registers_is_served(world):
    extra = spine.Dataset(
        "test.energy_by_division",
        "energy by division",
        "aggregated",
        (
            spine.Column("division", "string", "KSIC division"),
            spine.Column("tco2eq", "number", "emissions", "tCO2eq"),
            spine.Column("month", "date", "month"),
        ),
        lambda cx: [("25", Decimal("12.5"), dt.date(2026, 1, 1)), ("29", 3, None)],
        lambda cx: None,
    )
    with registered(datasets=[extra]):
        html = Client().get(reverse("portal:opendata")).content.decode()
        doc = json.loads(Client().get("/opendata/test.energy_by_division.json").content)
        table = pq.read_table(io.BytesIO(Client().get("/opendata/test.energy_by_division.parquet").content))
    assert 'data-dataset="test.energy_by_division"' in html
    assert doc["rows"] == [
        {"division": "25", "tco2eq": 12.5, "month": "2026-01-01"},
        {"division": "29", "tco2eq": 3, "month": None},
    ]
    assert table.to_pylist()[1] == {"division": "29", "tco2eq": 3.0, "month": None}


@pytest.mark.django_db(transaction=True)
def test_export_command_writes_every_dataset_with_its_dictionary(world, tmp_path):
    from typer.testing import CliRunner

    from techvalley.cli import app

    result = CliRunner().invoke(app, ["opendata", "export", str(tmp_path / "out"), "--complex", world["cx"].slug])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    keys = {d["key"] for d in index["datasets"]}
    assert keys == set(spine.platform.datasets)
    for key in keys:
        for suffix in ("csv", "parquet", "json", "dictionary.csv"):
            assert (out / f"{key}.{suffix}").stat().st_size > 0
        served = Client().get(reverse("portal:dataset_download", args=[key, "csv"])).content
        assert (out / f"{key}.csv").read_bytes() == served
    bad = CliRunner().invoke(app, ["opendata", "export", str(out / "index.json")])
    assert bad.exit_code == 2


@pytest.mark.django_db
def test_no_dataset_holds_personal_data_of_the_demo(settings, tmp_path):
    """The same check over the demo, where every app has records: its contacts, representatives,
    business numbers and the people who sign in (names, e-mails) appear in no dataset."""
    from django.contrib.auth import get_user_model

    from techvalley.core.models import Complex
    from techvalley.demo import load_demo
    from techvalley.registry.models import Company, Contact

    settings.TECHVALLEY_LAKE_DIR = tmp_path / "lake"
    load_demo(energy_days=7)
    names = set()
    for name, phone, email in Contact.objects.values_list("name", "phone", "email"):
        names |= {name, phone, email}
    for rep, brn, corp in Company.objects.values_list("representative", "brn", "corporate_no"):
        names |= {rep, brn, corp}
    for first, last, email in get_user_model().objects.values_list("first_name", "last_name", "email"):
        names |= {f"{last}{first}", email}
    names = {n for n in names if n and len(n) >= 3}
    assert len(names) >= 4  # the demo keeps contacts with phones and e-mails
    for cx in Complex.objects.all():
        assert personal_findings(cx, spine.platform.datasets_sorted(), sorted(names)) == [], cx.slug
