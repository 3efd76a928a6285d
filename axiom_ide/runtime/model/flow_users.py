"""Which flows place which nodes: ``flows_using(paths, refs)`` maps each ``package@version:Node`` ref
to the names of the flow files among ``paths`` that place it (the Console's Secrets page names the
flows a missing ``required_secrets`` entry affects). Files that do not load are skipped."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from axiom_ide.runtime.errors import AxiomError


def flows_using(paths: Iterable[Path], refs: Iterable[str]) -> dict[str, list[str]]:
    """``{ref: [flow name, ...]}`` (sorted, each name once) for every ref in ``refs``."""
    from axiom_ide.runtime.model.flow_yaml import load_flow

    out: dict[str, set[str]] = {ref: set() for ref in refs}
    for path in paths:
        try:
            flow = load_flow(path, fast=True).flow
        except (AxiomError, OSError, ValueError):
            continue
        name = flow.name or Path(path).name.removesuffix(".flow.yaml")
        for node in flow.nodes:
            if node.node in out:
                out[node.node].add(name)
    return {ref: sorted(names) for ref, names in out.items()}
