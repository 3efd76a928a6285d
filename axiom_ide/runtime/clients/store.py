"""ClientStore: clients, their versions and per-language builds in SQLite (tables ``clients``,
``client_versions``, ``client_builds``). Every write is one transaction, checked first: a bad alias
or an unknown client saves nothing. A version, once inserted, is never updated — only its builds'
status rows are.
"""
from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from axiom_ide.runtime.clients.model import (
    BUILDING,
    FAILED,
    PENDING,
    SUCCEEDED,
    Build,
    Client,
    Member,
    Version,
    check_aliases,
    check_client_name,
)
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.db import Database


def _client(row: sqlite3.Row) -> Client:
    return Client(row["name"], tuple(Member.from_json(m) for m in json.loads(row["members"])),
                  row["created_at"], row["updated_at"])


#: The error of a build its process stopped before it finished (:meth:`ClientStore.fail_interrupted`).
INTERRUPTED = "the runtime stopped before this build finished; add the language again to rebuild it"


class ClientStore:
    """Every pending or building row carries the database instance (``db.instance``) that queued it,
    so :meth:`fail_interrupted` tells a build cut off by a stop from one another live process (an
    IDE and ``serve`` on one data dir) is running."""

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    # -- clients ---------------------------------------------------------------------------------
    def create(self, name: str, *, tenant_id: str = "local") -> Client:
        name = check_client_name(name)
        now = self.clock()
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM clients WHERE tenant_id = ? AND name = ?", (tenant_id, name)).fetchone():
                raise AxiomError.of("client_exists", f'a client named "{name}" already exists')
            conn.execute("INSERT INTO clients (tenant_id, name, members, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                         (tenant_id, name, "[]", now, now))
        return Client(name, (), now, now)

    def clients(self, *, tenant_id: str = "local") -> list[Client]:
        with self.db.lock:
            rows = self.db.conn.execute("SELECT * FROM clients WHERE tenant_id = ? ORDER BY name", (tenant_id,)).fetchall()
        return [_client(r) for r in rows]

    def get(self, name: str, *, tenant_id: str = "local") -> Client:
        with self.db.lock:
            row = self.db.conn.execute("SELECT * FROM clients WHERE tenant_id = ? AND name = ?",
                                       (tenant_id, (name or "").strip())).fetchone()
        if row is None:
            raise AxiomError.of("client_not_found", f'no client named "{name}"')
        return _client(row)

    def delete(self, name: str, *, tenant_id: str = "local") -> bool:
        with self.db.transaction() as conn:
            n = conn.execute("DELETE FROM clients WHERE tenant_id = ? AND name = ?", (tenant_id, name)).rowcount
            conn.execute("DELETE FROM client_versions WHERE tenant_id = ? AND client = ?", (tenant_id, name))
            conn.execute("DELETE FROM client_builds WHERE tenant_id = ? AND client = ?", (tenant_id, name))
        return n > 0

    def set_members(self, name: str, members: list[Member], *, tenant_id: str = "local") -> Client:
        """Replace the member list (checked first: aliases non-empty and unique, no duplicates)."""
        check_aliases(members)
        now = self.clock()
        body = json.dumps([m.to_json() for m in members])
        with self.db.transaction() as conn:
            if conn.execute("UPDATE clients SET members = ?, updated_at = ? WHERE tenant_id = ? AND name = ?",
                            (body, now, tenant_id, name)).rowcount == 0:
                raise AxiomError.of("client_not_found", f'no client named "{name}"')
        return self.get(name, tenant_id=tenant_id)

    def add_members(self, name: str, members: list[Member], *, tenant_id: str = "local") -> Client:
        client = self.get(name, tenant_id=tenant_id)
        return self.set_members(name, [*client.members, *members], tenant_id=tenant_id)

    def remove_members(self, name: str, aliases: list[str], *, tenant_id: str = "local") -> Client:
        client = self.get(name, tenant_id=tenant_id)
        have = {m.alias for m in client.members}
        unknown = [a for a in aliases if a not in have]
        if unknown:
            raise AxiomError.of("unknown_member", f'client "{name}" has no member aliased '
                                f"{', '.join(repr(a) for a in unknown)}")
        return self.set_members(name, [m for m in client.members if m.alias not in set(aliases)], tenant_id=tenant_id)

    # -- versions and builds ---------------------------------------------------------------------
    def new_version(self, name: str, snapshot: dict[str, Any], languages: list[str], *,
                    tenant_id: str = "local") -> int:
        """Allocate the next version number with its snapshot and a ``pending`` build per language."""
        now = self.clock()
        with self.db.transaction() as conn:
            if not conn.execute("SELECT 1 FROM clients WHERE tenant_id = ? AND name = ?", (tenant_id, name)).fetchone():
                raise AxiomError.of("client_not_found", f'no client named "{name}"')
            (top,) = conn.execute("SELECT COALESCE(MAX(number), 0) FROM client_versions WHERE tenant_id = ? "
                                  "AND client = ?", (tenant_id, name)).fetchone()
            number = int(top) + 1
            conn.execute("INSERT INTO client_versions (tenant_id, client, number, snapshot, created_at) "
                         "VALUES (?, ?, ?, ?, ?)", (tenant_id, name, number,
                                                    json.dumps({**snapshot, "version": number}), now))
            for lang in languages:
                conn.execute("INSERT INTO client_builds (tenant_id, client, number, language, status, updated_at, owner) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", (tenant_id, name, number, lang, PENDING, now, self.db.instance))
        return number

    def add_build(self, name: str, number: int, lang: str, *, tenant_id: str = "local") -> None:
        """A ``pending`` build of ``lang`` for an existing version; a language built (or building)
        already is refused, a failed one is queued again."""
        self.version(name, number, tenant_id=tenant_id)
        with self.db.transaction() as conn:
            row = conn.execute("SELECT status FROM client_builds WHERE tenant_id = ? AND client = ? AND number = ? "
                               "AND language = ?", (tenant_id, name, number, lang)).fetchone()
            if row is not None and row["status"] != FAILED:
                raise AxiomError.of("build_exists", f'version {number} of "{name}" already has {lang} ({row["status"]})')
            conn.execute("INSERT OR REPLACE INTO client_builds (tenant_id, client, number, language, status, error, "
                         "archive, updated_at, owner) VALUES (?, ?, ?, ?, ?, '', NULL, ?, ?)",
                         (tenant_id, name, number, lang, PENDING, self.clock(), self.db.instance))

    def set_status(self, name: str, number: int, lang: str, status: str, *, error: str = "",
                   archive: bytes | None = None, tenant_id: str = "local") -> None:
        assert status in (PENDING, BUILDING, SUCCEEDED, FAILED)
        with self.db.transaction() as conn:
            conn.execute("UPDATE client_builds SET status = ?, error = ?, archive = ?, updated_at = ?, owner = ? WHERE "
                         "tenant_id = ? AND client = ? AND number = ? AND language = ?",
                         (status, error, archive, self.clock(), self.db.instance, tenant_id, name, number, lang))

    def fail_interrupted(self, reason: str = INTERRUPTED) -> int:
        """Every build still ``pending`` or ``building`` (of any tenant) whose process is gone becomes
        ``failed`` with ``reason``; what opening the store does (``Runtime.client_store``, for ``serve``
        and the IDE alike), so a build cut off by a stop is never "building" forever (the language
        can be added again: a failed one is re-queued). A live process's builds are left to it."""
        with self.db.transaction() as conn:
            owners = {r[0] for r in conn.execute("SELECT DISTINCT owner FROM client_builds WHERE status IN (?, ?)",
                                                 (PENDING, BUILDING))}
            gone = [o for o in owners if o is None or not self.db.alive(o)]
            count = 0
            for owner in gone:
                count += int(conn.execute("UPDATE client_builds SET status = ?, error = ?, updated_at = ? WHERE "
                                          "status IN (?, ?) AND owner IS ?",
                                          (FAILED, reason, self.clock(), PENDING, BUILDING, owner)).rowcount)
            return count

    def versions(self, name: str, *, tenant_id: str = "local") -> list[Version]:
        """The client's versions, newest first, with their builds in the docs' language order."""
        self.get(name, tenant_id=tenant_id)
        with self.db.lock:
            rows = self.db.conn.execute("SELECT * FROM client_versions WHERE tenant_id = ? AND client = ? "
                                        "ORDER BY number DESC", (tenant_id, name)).fetchall()
            builds = self.db.conn.execute("SELECT number, language, status, error, updated_at FROM client_builds "
                                          "WHERE tenant_id = ? AND client = ?", (tenant_id, name)).fetchall()
        from axiom_ide.runtime.clients.model import LANGUAGE_KEYS

        per: dict[int, list[Build]] = {}
        for b in builds:
            per.setdefault(b["number"], []).append(Build(b["language"], b["status"], b["error"], b["updated_at"]))
        order = {k: i for i, k in enumerate(LANGUAGE_KEYS)}
        return [Version(name, r["number"], r["created_at"], json.loads(r["snapshot"]),
                        tuple(sorted(per.get(r["number"], []), key=lambda b: order.get(b.language, 99))))
                for r in rows]

    def version(self, name: str, number: int, *, tenant_id: str = "local") -> Version:
        for v in self.versions(name, tenant_id=tenant_id):
            if v.number == number:
                return v
        raise AxiomError.of("version_not_found", f'client "{name}" has no version {number}')

    def archive(self, name: str, number: int, lang: str, *, tenant_id: str = "local") -> bytes:
        """The SDK zip of a succeeded build; a precise refusal otherwise."""
        v = self.version(name, number, tenant_id=tenant_id)
        b = v.build(lang)
        if b is None:
            raise AxiomError.of("build_not_found", f'version {number} of "{name}" has no {lang} build')
        if b.status != SUCCEEDED:
            extra = f": {b.error}" if b.error else ""
            raise AxiomError.of("build_not_ready", f'the {lang} build of "{name}" version {number} is {b.status}{extra}')
        with self.db.lock:
            row = self.db.conn.execute("SELECT archive FROM client_builds WHERE tenant_id = ? AND client = ? AND "
                                       "number = ? AND language = ?", (tenant_id, name, number, lang)).fetchone()
        return bytes(row["archive"])
