"""Backends: what the IDE talks to instead of runtime internals (see README.md)."""
from axiom_ide.backends.base import Backend, CompiledFlow, ConfigView, Failure, RunResult, attribute_failure
from axiom_ide.backends.local import LocalBackend

__all__ = ["Backend", "CompiledFlow", "ConfigView", "Failure", "LocalBackend", "RunResult", "attribute_failure"]
