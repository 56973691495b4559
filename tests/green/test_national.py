"""The national-scale simulation measures every step and scales them to 3.5 billion readings."""

from techvalley.green import national


def test_every_step_is_measured_and_scaled(tmp_path):
    said = []
    result = national.run(meters=14, days=35, workdir=tmp_path, log=said.append)
    assert result["readings"] == 14 * 35 * 96 == result["steps"]["ingest"]["accepted"]
    for step in ("simulate", "ingest", "report", "anomalies"):
        assert result["steps"][step]["seconds"] >= 0 and result["steps"][step]["peak_rss_mb"] > 0
    assert result["steps"]["report"]["same_totals"] is True  # rollups and readings agree
    assert result["steps"]["report"]["companies"] == 12
    assert result["bytes"]["readings"] > 0 and result["bytes"]["rollups"] > 0
    assert result["national"]["factor"] == round(national.NATIONAL_READINGS / result["readings"], 2)
    assert list(tmp_path.iterdir()) == []  # the temporary lake is gone
    assert any("ingest" in s for s in said)


def test_months_split_the_year():
    assert [n for _, n in national._months(2025, 365)] == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert [n for _, n in national._months(2025, 40)] == [31, 9]
