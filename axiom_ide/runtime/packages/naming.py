"""Names used by packages: scoped package names, semver, PascalCase, snake_case, scope flattening.

The patterns are the axiom.yaml reference's own (shared with flow node references in
``runtime.model.refs``); error texts quote them so a user sees exactly what is expected.
"""
from __future__ import annotations

import re

from axiom_ide.runtime.model.refs import PACKAGE_NAME_RE, PASCAL_RE, SEMVER_RE

__all__ = [
    "LANGUAGES",
    "PACKAGE_NAME_RE",
    "PASCAL_RE",
    "SEMVER_RE",
    "flatten_scope",
    "module_scope",
    "name_problem",
    "pascal_problem",
    "proto_package",
    "snake_case",
    "version_problem",
]

#: The six languages a manifest may declare (axiom.yaml reference, "language").
LANGUAGES = ("go", "python", "rust", "java", "typescript", "csharp")

_CAMEL_BOUNDARY_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_BOUNDARY_2 = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """``SummarizeText`` → ``summarize_text``; ``HTTPFetch`` → ``http_fetch``."""
    s = _CAMEL_BOUNDARY_1.sub(r"\1_\2", name)
    s = _CAMEL_BOUNDARY_2.sub(r"\1_\2", s)
    return s.lower()


def flatten_scope(package: str) -> str:
    """Directory name of an import: ``christian/text-ops`` → ``christian-text-ops``."""
    return package.replace("/", "-")


def module_scope(package: str) -> str:
    """Python module stem of an import: ``axiom-official/axiom-text-ops`` → ``axiom_official_axiom_text_ops``."""
    return re.sub(r"[^a-z0-9_]", "_", package.lower())


def proto_package(package: str) -> str:
    """Proto ``package`` statement for a scoped name: ``my-org/order-tools`` → ``my_org.order_tools``."""
    owner, _, name = package.partition("/")
    return f"{owner.replace('-', '_')}.{name.replace('-', '_')}"


def name_problem(name: object) -> str | None:
    """Why ``name`` is not a valid scoped package name, or None."""
    if not isinstance(name, str) or not name:
        return "name is required: a scoped package name (handle/package-name)"
    if "/" not in name:
        return (
            f'package name "{name}" must be scoped: your-handle/package-name '
            f"(pattern: {PACKAGE_NAME_RE.pattern})"
        )
    if not PACKAGE_NAME_RE.match(name):
        return (
            f'invalid package name "{name}": both parts may contain only lowercase letters, digits, '
            f"and hyphens, and must start with a letter or digit (pattern: {PACKAGE_NAME_RE.pattern})"
        )
    return None


def version_problem(version: object) -> str | None:
    """Why ``version`` is not semantic versioning, or None."""
    if version is None or version == "":
        return "version is required: semantic version MAJOR.MINOR.PATCH"
    if not isinstance(version, str) or not SEMVER_RE.match(version):
        return (
            f'invalid version "{version}": must be semantic versioning MAJOR.MINOR.PATCH '
            f"(pattern: {SEMVER_RE.pattern})"
        )
    return None


def pascal_problem(kind: str, name: str) -> str | None:
    """Why ``name`` is not PascalCase (``kind`` is "node" or "message"), or None."""
    if not PASCAL_RE.match(name or ""):
        return (
            f'{kind} name "{name}" must be PascalCase: the first character must be uppercase, '
            "and only letters and digits are allowed"
        )
    return None
