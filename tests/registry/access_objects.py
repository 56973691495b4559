"""Objects of the registry's access table beyond companies: each company's contact person, a
pair of imports to compare, and an address rule of each side (a rule belongs to a complex, not
a company)."""

from techvalley.registry.models import AddressRule, Contact, ImportRun


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
    rules = [
        AddressRule.objects.create(complex=cx, sigungu="강서구", address_contains=f"접근{side}로") for side in "ab"
    ]
    contacts = {side: Contact.objects.filter(company=world[side]).order_by("id").first() for side in "ab"}
    return {
        "contact": {side: {"pk": c.pk, "contact_id": c.pk} for side, c in contacts.items()},
        "import_runs": {"a": pair, "b": pair},
        "address_rule": {"a": {"pk": rules[0].pk}, "b": {"pk": rules[1].pk}},
    }
