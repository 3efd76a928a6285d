"""The result panel's Detail column words the execution-model events: compensation (saga) and
runtime flow mutation."""
from __future__ import annotations

from axiom_ide.app.panels.results import event_detail
from axiom_ide.runtime.engine.mutation import FLOW_MUTATED
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store.events import EventRecord


def test_the_result_panel_words_mutation_and_compensation_events():

    def detail(type_: str, **data) -> str:
        return event_detail(EventRecord("e", 1, type_, "g", 0.0, data=data))

    assert detail(FLOW_MUTATED, nodes=[{"id": "added-4", "ref": "tests/probe@0.1.0:Look"}],
                  edges=[{"from": "g", "to": "added-4"}]) == "added added-4 (tests/probe@0.1.0:Look); edges g → added-4"
    assert detail(ev.COMPENSATION_STARTED, compensates="b") == 'compensating "b"'
    assert detail(ev.COMPENSATION_COMPLETED, compensates="b") == 'compensated "b"'
    assert detail(ev.COMPENSATION_FAILED, compensates="b", error="down") == 'compensation failed for "b": down'
