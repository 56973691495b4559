import datetime as dt
import json
from importlib import resources
from pathlib import Path

import pytest

from techvalley.collaboration import eligibility
from techvalley.collaboration.recommend import ExpertRecord, Matcher, ProgrammeRecord

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 11, 25)


def demo_json(name: str) -> list[dict]:
    return json.loads((resources.files("techvalley.collaboration") / "data" / name).read_text(encoding="utf-8"))


def records():
    experts = [
        ExpertRecord(ref=e["ref"], org=e["org"], unit=e["unit"], fields=e["fields"], text=e["text"], kind=e["kind"])
        for e in demo_json("demo_experts.json")
    ]
    programmes = [
        ProgrammeRecord(
            ref=p["ref"],
            title=p["title"],
            agency=p["agency"],
            text=p["text"],
            eligibility=eligibility.clean(p["eligibility"]),
            deadline=dt.date.fromisoformat(p["deadline"]),
        )
        for p in demo_json("demo_programmes.json")
    ]
    return experts, programmes


@pytest.fixture(scope="session")
def matcher():
    return Matcher(*records())


@pytest.fixture(scope="session")
def labelled():
    return json.loads((DATA / "eval_needs.json").read_text(encoding="utf-8"))["needs"]
