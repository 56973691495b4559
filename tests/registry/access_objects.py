"""Objects of the registry's access table beyond companies: a pair of imports to compare."""

from techvalley.registry.models import ImportRun


def build(world) -> dict:
    cx = world["cx"]
    runs = [
        ImportRun.objects.create(
            complex=cx,
            filename=f"busan_factory_registry_{year}-12-31.csv",
            sha256="0" * 64,
            fmt="busan-csv",
            ok=True,
            counts={"created": 1},
            structure={"total": {"companies": n, "employees": 0}, "intensity": [], "division": []},
        )
        for year, n in ((2024, 1), (2025, 2))
    ]
    pair = {"query": {"before": runs[0].pk, "after": runs[1].pk}}
    return {"import_runs": {"a": pair, "b": pair}}
