"""The SQLite database: one file ``axiom.db`` per data dir, WAL mode, versioned migrations.

Durability: ``synchronous=NORMAL`` by default (survives a killed process; WAL), ``full`` on
request for power-loss safety. Migrations are an append-only list (``migrations.py``); ``PRAGMA user_version`` records
how many ran. A database written by a newer Axiom IDE (user_version beyond what we know) is
refused with a clear message and never altered.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from axiom_ide.runtime import flow_ids
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store import datadir
from axiom_ide.runtime.store import journal as jn
from axiom_ide.runtime.store.migrations import MIGRATIONS as MIGRATIONS  # re-exported: the schema's one list

log = logging.getLogger(__name__)

DB_FILENAME = "axiom.db"

#: The executions columns a journaled insert or update writes (the ``owner`` column of migration 8
#: last). A later migration that adds a column leaves this list alone: rows journaled by this
#: version must stay foldable by the next.
EXECUTION_COLUMNS = ("id", "graph_id", "flow_name", "mode", "tenant_id", "status", "input", "input_json",
                     "output_json", "error", "error_code", "config_id", "parent_id", "fork_checkpoint",
                     "debug_session", "created_at", "started_at", "updated_at", "completed_at", "owner")

#: The statements the step journal may hold, by the number a record names them with. Append-only:
#: a journal written by this version must stay foldable by the next.
JOURNALED: dict[int, str] = {
    1: "INSERT INTO events (execution_id, seq, type, node, time, duration_ms, attempt, data) "
       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    2: "INSERT INTO checkpoints (id, execution_id, step, node, attempt, input_type, output_type, "
       "input, input_blob, output, output_blob, created_at, unordered) "
       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    3: "INSERT INTO blobs (id, data, created_at) VALUES (?, ?, ?)",
    4: f"INSERT INTO executions ({', '.join(EXECUTION_COLUMNS)}) VALUES ({', '.join('?' * len(EXECUTION_COLUMNS))})",
    5: f"UPDATE executions SET {', '.join(c + ' = ?' for c in EXECUTION_COLUMNS[1:])} WHERE id = ?",
}
J_EVENT, J_CHECKPOINT, J_BLOB, J_EXECUTION_V1, J_EXECUTION_UPDATE_V1 = 1, 2, 3, 4, 5

#: The executions columns since the ``error_detail`` migration: :data:`EXECUTION_COLUMNS` and ``error_detail``. Rows of
#: statements 4 and 5 (journals written before) still fold; they leave ``error_detail`` NULL.
EXECUTION_COLUMNS_9 = (*EXECUTION_COLUMNS, "error_detail")
JOURNALED[6] = f"INSERT INTO executions ({', '.join(EXECUTION_COLUMNS_9)}) VALUES ({', '.join('?' * len(EXECUTION_COLUMNS_9))})"
JOURNALED[7] = f"UPDATE executions SET {', '.join(c + ' = ?' for c in EXECUTION_COLUMNS_9[1:])} WHERE id = ?"
J_EXECUTION, J_EXECUTION_UPDATE = 6, 7


class SchemaError(AxiomError):
    pass


class Database:
    """A connection with the schema migrated, shared under :attr:`lock`.

    Opening folds the step journals of processes that died (:mod:`.journal`). With ``journal=True``
    (the runtime's database) :meth:`write` appends to this process's own journal instead of
    committing; every transaction folds what is pending first, and :meth:`sync` folds on demand
    (readers of events and checkpoints call it).
    """

    def __init__(self, path: Path, *, durability: str = "normal", journal: bool = False) -> None:
        self.path = Path(path)
        # Owner-only (store/datadir.py): the dir, and the database file made before SQLite opens
        # it — the WAL and shared-memory files SQLite creates take this file's mode.
        datadir.private_dir(self.path.parent)
        datadir.tighten(self.path.parent)
        datadir.create_private_file(self.path)
        self.conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        #: Bumped by every write this process makes to what a run's config is resolved from
        #: (secrets, flow configs); with :meth:`data_version` it tells when a cached resolution is stale.
        self.config_generation = 0
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={'FULL' if durability == 'full' else 'NORMAL'}")
        # A WAL checkpoint (copying the log into the database, with an fsync) every 4,000 pages
        # (~16 MB) rather than SQLite's 1,000: a checkpoint run's cost grows with the distinct pages
        # it copies, not with the log, and a run's commits rewrite the same few pages, so four times
        # fewer checkpoints cut the mean cost of a commit by ~40% on a busy disk (measured:
        # 150-180 -> 95-100 µs per checkpoint-sized commit). The log is cut back to 64 MB after a
        # checkpoint if a long reader ever let it grow past that.
        self.conn.execute("PRAGMA wal_autocheckpoint=4000")
        self.conn.execute(f"PRAGMA journal_size_limit={64 * 1024 * 1024}")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=5000")
        # the flow-id migration's functions (runtime/flow_ids.py): '' (no flow) stays ''
        self.conn.create_function("axiom_flow_id", 2, flow_ids.flow_id, deterministic=True)
        self.conn.create_function("axiom_is_flow_id", 1, lambda t: not t or flow_ids.is_flow_id(t), deterministic=True)
        self._migrate()
        #: This open database's id: executions it runs are owned by it (``executions.owner``).
        self.instance = jn.new_instance()
        self.journal: jn.Journal | None = None
        self._fold_timer: threading.Timer | None = None
        self.recover_journals()
        if journal:
            self.journal = jn.Journal(self.journal_dir, instance=self.instance, sync=durability == "full")

    @property
    def journal_dir(self) -> Path:
        return self.path.with_name(self.path.name + "-steps")

    # -- the step journal ------------------------------------------------------------------------
    def alive(self, instance: str) -> bool:
        """Whether ``instance`` is this database or another live process's journaled database."""
        return instance == self.instance or jn.alive(self.journal_dir, instance)

    def write(self, rows: list) -> None:
        """Durably record ``rows`` — ``(statement, params)`` pairs, statements from
        :data:`JOURNALED` — in order: one journal append, or one transaction without a journal."""
        with self.lock:
            j = self.journal
            if j is None:
                with self.transaction() as conn:
                    _insert(conn, rows)
                return
            first = not j.pending.rows
            j.append(rows)
            if j.pending.nbytes >= jn.FOLD_BYTES:
                self.sync()
            elif first:
                self._schedule_fold()

    def sync(self) -> None:
        """Fold whatever the journal has pending (no-op without)."""
        j = self.journal
        if j is not None and j.pending.rows:
            with self.transaction():
                pass

    def _schedule_fold(self) -> None:
        timer = self._fold_timer
        if timer is not None and timer.is_alive():
            return
        timer = threading.Timer(jn.FOLD_AFTER, self._timed_fold)
        timer.daemon = True
        self._fold_timer = timer
        timer.start()

    def _timed_fold(self) -> None:
        try:
            self.sync()
        except Exception as exc:  # noqa: BLE001 — the next transaction folds (or reports) it
            log.warning("could not fold the step journal: %s", exc)

    def _fold(self, conn: sqlite3.Connection) -> tuple[int, list[str]] | None:
        """Inside a transaction: insert the pending journal rows and the fold mark. Returns what to
        tell the journal once committed (the offset folded to, the retired marks deleted), or None."""
        j = self.journal
        if j is None or not j.pending.rows:
            return None
        _fold_rows(conn, j.pending.rows)
        conn.execute("INSERT OR REPLACE INTO journal_folds (journal, offset) VALUES (?, ?)", (j.name, j.pending.end))
        retired = list(j.retired)
        if retired:
            conn.executemany("DELETE FROM journal_folds WHERE journal = ?", [(n,) for n in retired])
        return j.pending.end, retired

    def recover_journals(self) -> int:
        """Fold the journals of processes that died, then delete them. Returns how many rows were
        folded. The fold mark moves to the file's end in the fold's transaction and goes only once
        the file is gone, so a recovery interrupted at any point never folds a row twice."""
        count = 0
        own = self.journal.name if self.journal is not None else None
        for orphan in jn.orphans(self.journal_dir, own):
            try:
                with self.transaction() as conn:
                    row = conn.execute("SELECT offset FROM journal_folds WHERE journal = ?", (orphan.name,)).fetchone()
                    rows, end = [], row[0] if row else 0
                    for end, record in jn.read_records(orphan.data, end, orphan.path):  # noqa: B007, B020 — end: the last record's offset
                        rows.extend(record)
                    _fold_rows(conn, rows)
                    conn.execute("INSERT OR REPLACE INTO journal_folds (journal, offset) VALUES (?, ?)", (orphan.name, end))
            except BaseException:
                orphan.release(remove=False)
                raise
            orphan.release(remove=True)
            with self.transaction() as conn:
                conn.execute("DELETE FROM journal_folds WHERE journal = ?", (orphan.name,))
            count += len(rows)
            if rows:
                log.info("folded %d rows from the step journal of a process that stopped (%s)", len(rows), orphan.name)
        return count

    def _migrate(self) -> None:
        with self.lock:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                self.conn.close()
                raise SchemaError.of(
                    "schema_too_new",
                    f"the database {self.path} was written by a newer Axiom IDE "
                    f"(schema version {version}, this version knows up to {len(MIGRATIONS)}); "
                    "upgrade Axiom IDE or use another --data-dir",
                    file=str(self.path),
                )
            for number in range(version, len(MIGRATIONS)):
                self.conn.execute("BEGIN IMMEDIATE")
                # Another process opening the same data dir may have migrated while we waited for
                # the write lock: re-read the version under it, never run a migration twice.
                if self.conn.execute("PRAGMA user_version").fetchone()[0] > number:
                    self.conn.execute("COMMIT")
                    continue
                try:
                    for statement in _split(MIGRATIONS[number]):
                        self.conn.execute(statement)
                    self.conn.execute(f"PRAGMA user_version={number + 1}")
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes whenever *another* connection (another process,
        such as the CLI) commits to the database; this connection's own commits leave it alone."""
        with self.lock:
            return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def transaction(self) -> _Transaction:
        """``with db.transaction(): ...`` — one BEGIN IMMEDIATE … COMMIT under the lock."""
        return _Transaction(self)

    def close(self) -> None:
        with self.lock:
            if self._fold_timer is not None:
                self._fold_timer.cancel()
            if self.journal is not None:
                try:
                    self.sync()
                finally:
                    self.journal.close(remove=not self.journal.pending.rows)
                    self.journal = None
            self.conn.close()


class _Transaction:
    """BEGIN IMMEDIATE, the journal's pending rows, the caller's statements, COMMIT."""

    __slots__ = ("db", "folded")

    def __init__(self, db: Database) -> None:
        self.db = db
        self.folded: tuple[int, list[str]] | None = None

    def __enter__(self) -> sqlite3.Connection:
        self.db.lock.acquire()
        try:
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                self.folded = self.db._fold(self.db.conn)
            except BaseException:
                self.db.conn.execute("ROLLBACK")
                raise
        except BaseException:
            self.db.lock.release()
            raise
        return self.db.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.db.conn.execute("COMMIT")
                if self.folded is not None:
                    end, retired = self.folded
                    j = self.db.journal
                    assert j is not None  # folded is only set on a database with a journal
                    j.retired = [n for n in j.retired if n not in retired]
                    j.folded(end)
            else:
                try:
                    self.db.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
        finally:
            self.db.lock.release()


def _insert(conn: sqlite3.Connection, rows: list) -> None:
    """Execute journaled ``(statement, params)`` rows, consecutive runs of one statement batched."""
    i = 0
    while i < len(rows):
        code = rows[i][0]
        j = i + 1
        while j < len(rows) and rows[j][0] == code:
            j += 1
        conn.executemany(JOURNALED[code], [params for _c, params in rows[i:j]])
        i = j


def _fold_rows(conn: sqlite3.Connection, rows: list) -> None:
    """Fold journaled rows. A row that conflicts with the database (which only a bug can cause) is
    dropped with an error in the log rather than failing this and every later transaction."""
    conn.execute("SAVEPOINT fold")
    try:
        _insert(conn, rows)
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK TO fold")
        for code, params in rows:
            try:
                conn.execute(JOURNALED[code], params)
            except sqlite3.IntegrityError as exc:
                log.error("step journal: dropped a row that conflicts with the database (%s, key %r): %s",
                          JOURNALED[code].split(" (")[0], params[:2], exc)
    finally:
        conn.execute("RELEASE fold")


def _split(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def open_database(data_dir: Path, *, durability: str = "normal", journal: bool = False) -> Database:
    return Database(Path(data_dir) / DB_FILENAME, durability=durability, journal=journal)
