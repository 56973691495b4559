import pytest

from techvalley.green import services
from techvalley.green.lake import Lake


@pytest.fixture(autouse=True)
def lake_dir(settings, tmp_path):
    settings.TECHVALLEY_LAKE_DIR = tmp_path / "lake"
    return settings.TECHVALLEY_LAKE_DIR


@pytest.fixture
def meters(world):
    """One meter of every kind for company A, an electricity meter for company B."""
    rows = [
        {"meter_id": f"A-{k}", "company": world["a"].name, "kind": k, "unit": "", "resolution": "15min"}
        for k in ("electricity", "city_gas", "lpg", "diesel", "steam", "solar")
    ]
    rows.append(
        {
            "meter_id": "B-electricity",
            "company": world["b"].name,
            "kind": "electricity",
            "unit": "",
            "resolution": "15min",
        }
    )
    services.register_meters(world["cx"], rows, create_companies=False)
    return rows


def write_csv(path, rows, header="meter_id,timestamp,value"):
    path.write_text(header + "\n" + "\n".join(",".join(str(x) for x in r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def lake(world):
    return Lake(services.lake_for(world["cx"]).root)


def pytest_configure(config):
    # Registered here as well as in pyproject.toml, so `--strict-markers` accepts it either way.
    config.addinivalue_line("markers", "cluster: starts a Spark standalone cluster (master and worker processes)")
