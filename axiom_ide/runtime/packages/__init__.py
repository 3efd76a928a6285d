"""Packages: manifests, message types, node specs, and the tooling behind the package CLI verbs.

Public API::

    ws = Workspace(root, extra_roots=())
    ws.packages["examples/text@0.1.0"]      # Package
    ws.resolve(parse_node_ref("examples/text@0.1.0:Greet"))   # NodeSpec, or AxiomError
    pkg.message("Text"), pkg.message_class("Text"), pkg.message_doc("examples.text.Text")

Tooling (``scaffold``, ``generate``, ``validate``) is imported from its own module.
"""
from __future__ import annotations

from axiom_ide.runtime.packages.manifest import (
    BuildConfig,
    EnvVar,
    ImportDecl,
    Manifest,
    NodeDecl,
    load_manifest,
)
from axiom_ide.runtime.packages.messages import MessageDoc
from axiom_ide.runtime.packages.package import NodeSpec, Package
from axiom_ide.runtime.packages.workspace import Workspace, find_package_dirs

__all__ = [
    "BuildConfig",
    "EnvVar",
    "ImportDecl",
    "Manifest",
    "MessageDoc",
    "NodeDecl",
    "NodeSpec",
    "Package",
    "Workspace",
    "find_package_dirs",
    "load_manifest",
]
