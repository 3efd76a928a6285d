"""The result panel's Detail column words the execution-model events: compensation (saga) and
runtime flow mutation."""
from __future__ import annotations

from axiom_ide.app.panels.results import event_detail
from axiom_ide.backends.values import Event
from axiom_ide.runtime import event_types as ev


def test_the_result_panel_words_mutation_and_compensation_events():

    def detail(type_: str, **data) -> str:
        return event_detail(Event("e", 1, type_, "g", 0.0, data=data))

    assert detail(ev.FLOW_MUTATED, nodes=[{"id": "added-4", "ref": "tests/probe@0.1.0:Look"}],
                  edges=[{"from": "g", "to": "added-4"}]) == "added added-4 (tests/probe@0.1.0:Look); edges g → added-4"
    assert detail(ev.COMPENSATION_STARTED, compensates="b") == 'compensating "b"'
    assert detail(ev.COMPENSATION_COMPLETED, compensates="b") == 'compensated "b"'
    assert detail(ev.COMPENSATION_FAILED, compensates="b", error="down") == 'compensation failed for "b": down'
