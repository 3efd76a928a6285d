"""Fixtures of the runtime tests: the node host tests' text package and its message classes."""
from __future__ import annotations

from pathlib import Path

import pytest
from host_support import NODES, text_package

from axiom_ide.runtime.packages import Package


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """The example text package with the test nodes above."""
    return text_package(tmp_path_factory, "host", NODES)


@pytest.fixture(scope="module")
def messages(package):
    pkg = Package(package)
    return {name: pkg.message_class(name) for name in ("GreetRequest", "GreetReply", "Text", "Word")}
