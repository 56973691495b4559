"""The spine's cross-app hooks: metrics, actions, transition records, datasets, map layers."""

import datetime as dt
from types import SimpleNamespace

import pytest

from techvalley.core import spine


def _company(pk):
    return SimpleNamespace(pk=pk)


def test_a_metric_answers_its_value_and_none_when_no_app_provides_it():
    p = spine.Contributions()
    assert p.metric_value("surveys.communications", "cx") is None
    p.metric(spine.Metric("surveys.communications", "구민소통", lambda cx, year=None: (cx, year)))
    assert p.metric_value("surveys.communications", "cx", year=2024) == ("cx", 2024)
    with pytest.raises(ValueError, match="registered twice"):
        p.metric(spine.Metric("surveys.communications", "again", lambda cx: 0))


def test_an_action_is_offered_only_to_whom_it_is_visible():
    p = spine.Contributions()
    p.action(
        spine.Action(
            "projects.subproject", "세부사업 만들기", lambda actor, cx, **kw: kw, visible=lambda v: v == "officer"
        )
    )
    assert p.action_for("projects.subproject", "officer").run(None, None, title="x") == {"title": "x"}
    assert p.action_for("projects.subproject", "member") is None
    assert p.action_for("projects.subproject") is not None
    assert p.action_for("nobody.offers") is None


def test_timeline_merges_every_app_oldest_first_and_signals_merge_per_company():
    p = spine.Contributions()
    d = dt.date
    p.transition(
        spine.Transition(
            "b",
            "B",
            events=lambda c, v: [spine.TimelineEvent(d(2024, 5, 1), "b", "course")],
            signals=lambda cs, as_of=None: {c.pk: [spine.CompanySignal("training_hours", "h", 8 * c.pk)] for c in cs},
        ),
        spine.Transition(
            "a",
            "A",
            events=lambda c, v: [
                spine.TimelineEvent(d(2023, 1, 1), "a", "ksic"),
                spine.TimelineEvent(d(2025, 1, 1), "a", "x"),
            ],
            signals=lambda cs, as_of=None: {cs[0].pk: [spine.CompanySignal("rnd_centre", "r", True)]},
        ),
    )
    assert [e.label for e in p.timeline(_company(1), None)] == ["ksic", "course", "x"]
    sig = p.signals([_company(1), _company(2)])
    assert sig[1]["training_hours"].value == 8 and sig[1]["rnd_centre"].value is True
    assert sig[2]["training_hours"].value == 16 and "rnd_centre" not in sig[2]


def test_datasets_and_layers_are_listed_in_order_and_layers_by_viewer():
    p = spine.Contributions()
    col = spine.Column("n", "integer", "수")
    p.dataset(
        spine.Dataset("z", "Z", "", (col,), rows=lambda cx: [(1,)], updated=lambda cx: None, order=1),
        spine.Dataset("a", "A", "", (col,), rows=lambda cx: [(2,)], updated=lambda cx: None, order=2),
    )
    assert [d.key for d in p.datasets_sorted()] == ["z", "a"]
    with pytest.raises(ValueError):
        p.dataset(spine.Dataset("a", "A", "", (col,), rows=lambda cx: [], updated=lambda cx: None))
    p.map_layer(
        spine.MapLayer("pub", "공개", lambda v, cx: [], (("x", "X", "#000"),)),
        spine.MapLayer("priv", "내부", lambda v, cx: [], (), visible=lambda v: v == "officer", order=1),
    )
    assert [la.key for la in p.layers_for("officer")] == ["priv", "pub"]
    assert [la.key for la in p.layers_for("anonymous")] == ["pub"]
