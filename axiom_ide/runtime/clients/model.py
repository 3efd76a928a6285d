"""Clients (guides/build-a-client-sdk): a named bundle of node and flow members, each under a unique
alias (the method name its SDK generates), built into immutable numbered versions.

A :class:`Member` names what it exposes (``pkg@ver:Node`` or a flow name); a version's snapshot
(:mod:`.snapshot`) freezes each member with its message types and descriptors, so a version never
changes after it is built. Builds are per language, each ``pending`` → ``building`` →
``succeeded`` | ``failed`` (with the error).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from axiom_ide.runtime.errors import AxiomError

#: (key, label, zip suffix) in the docs' order: Python, Go, TypeScript, Java, C#, Rust.
LANGUAGES: tuple[tuple[str, str, str], ...] = (
    ("python", "Python", "py"),
    ("go", "Go", "go"),
    ("typescript", "TypeScript", "ts"),
    ("java", "Java", "java"),
    ("csharp", "C#", "cs"),
    ("rust", "Rust", "rs"),
)
LANGUAGE_KEYS = tuple(k for k, _, _ in LANGUAGES)
LABELS = {k: label for k, label, _ in LANGUAGES}
SUFFIX = {k: s for k, _, s in LANGUAGES}
_ALIASES = {"py": "python", "ts": "typescript", "c#": "csharp", "cs": "csharp", "rs": "rust",
            **{label.lower(): k for k, label, _ in LANGUAGES}}

PENDING, BUILDING, SUCCEEDED, FAILED = "pending", "building", "succeeded", "failed"

MAX_NAME_LENGTH = 64
#: A client name: what the SDK package is called (``billing`` → ``billing_sdk``).
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
#: An alias: the method name (``summarize_invoice``, ``summarizeInvoice`` ...).
ALIAS_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def check_client_name(name: str) -> str:
    raw = (name or "").strip()
    if not raw:
        raise AxiomError.of("invalid_client_name", "a client name is required")
    if len(raw) > MAX_NAME_LENGTH or not NAME_RE.fullmatch(raw):
        raise AxiomError.of("invalid_client_name", f'client name "{raw}" must start with a letter and use only '
                            f"letters, digits, - and _ (at most {MAX_NAME_LENGTH} characters)")
    return raw


def language(key: str) -> str:
    """A language key from a key, label or zip suffix (``python``, ``Python``, ``py``)."""
    k = (key or "").strip().lower()
    k = _ALIASES.get(k, k)
    if k not in LANGUAGE_KEYS:
        raise AxiomError.of("unknown_language", f'unknown language "{key}" (choose from '
                            f"{', '.join(LANGUAGE_KEYS)})")
    return k


def words(alias: str) -> list[str]:
    """``summarizeInvoice`` / ``summarize_invoice`` / ``SummarizeInvoice`` → ``[summarize, invoice]``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", alias))
    return [w.lower() for w in re.split(r"[\s_]+", spaced) if w]


def snake(alias: str) -> str:
    return "_".join(words(alias))


def camel(alias: str) -> str:
    w = words(alias)
    return w[0] + "".join(x.capitalize() for x in w[1:]) if w else ""


def pascal(alias: str) -> str:
    return "".join(x.capitalize() for x in words(alias))


def default_alias(target: str) -> str:
    """The alias a member is prefilled with: the node's or flow's name, as snake_case."""
    name = target.rsplit(":", 1)[-1]
    return snake(re.sub(r"[^A-Za-z0-9_]+", "_", name)) or "member"


@dataclass(frozen=True)
class Member:
    #: ``node`` or ``flow``.
    kind: str
    #: ``owner/pkg@version:Node`` for a node, the flow's name for a flow.
    target: str
    alias: str

    @property
    def package(self) -> str:
        """``owner/pkg@version`` of a node member ("" for a flow)."""
        return self.target.rsplit(":", 1)[0] if self.kind == "node" else ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "alias": self.alias}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Member:
        return cls(str(d["kind"]), str(d["target"]), str(d["alias"]))


def check_aliases(members: list[Member]) -> None:
    """Every alias non-empty, an identifier, and unique within the client — also once turned into each
    language's convention (``fooBar`` and ``foo_bar`` would generate the same method)."""
    seen: dict[str, Member] = {}
    targets: set[tuple[str, str]] = set()
    for m in members:
        if (m.kind, m.target) in targets:
            raise AxiomError.of("member_exists", f'{m.kind} "{m.target}" is already in the client')
        targets.add((m.kind, m.target))
        if not m.alias.strip():
            raise AxiomError.of("invalid_alias", f'the alias of {m.kind} "{m.target}" is empty; an alias is required')
        if not ALIAS_RE.fullmatch(m.alias):
            raise AxiomError.of("invalid_alias", f'alias "{m.alias}" of {m.kind} "{m.target}" must start with a '
                                "letter and use only letters, digits and _")
        key = snake(m.alias)
        other = seen.get(key)
        if other is not None:
            same = "is already used" if other.alias == m.alias else f'makes the same method as "{other.alias}", used'
            raise AxiomError.of("alias_clash", f'alias "{m.alias}" of {m.kind} "{m.target}" {same} by {other.kind} '
                                f'"{other.target}"; aliases must be unique within the client')
        seen[key] = m


@dataclass(frozen=True)
class Client:
    name: str
    members: tuple[Member, ...]
    created_at: float
    updated_at: float

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "members": [m.to_json() for m in self.members],
                "created_at": int(self.created_at * 1000), "updated_at": int(self.updated_at * 1000)}


@dataclass(frozen=True)
class Build:
    language: str
    status: str
    error: str = ""
    updated_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "status": self.status, "error": self.error or None,
                "updated_at": int(self.updated_at * 1000)}


@dataclass(frozen=True)
class Version:
    client: str
    number: int
    created_at: float
    #: The frozen snapshot (:mod:`.snapshot`): members with their types and descriptor sets.
    snapshot: dict[str, Any] = field(hash=False, compare=False)
    builds: tuple[Build, ...] = ()

    def build(self, lang: str) -> Build | None:
        return next((b for b in self.builds if b.language == lang), None)

    def to_json(self) -> dict[str, Any]:
        return {"client": self.client, "version": self.number, "created_at": int(self.created_at * 1000),
                "members": [{k: v for k, v in m.items() if k not in ("input", "output")} | {
                    "input": m["input"]["type"], "output": m["output"]["type"]} for m in self.snapshot["members"]],
                "builds": [b.to_json() for b in self.builds]}
