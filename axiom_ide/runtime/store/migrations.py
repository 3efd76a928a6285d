"""The database schema as an append-only list of migrations; ``PRAGMA user_version`` counts how many
ran (``db.py`` runs them). Never edit a shipped migration; append a new one."""
from __future__ import annotations

#: Append-only. Never edit a shipped migration; add a new one.
MIGRATIONS: list[str] = [
    # 1: compiled artifacts
    """
    CREATE TABLE artifacts (
        graph_id    TEXT PRIMARY KEY,
        flow_name   TEXT NOT NULL,
        mode        TEXT NOT NULL,
        created_at  REAL NOT NULL,
        body        TEXT NOT NULL
    );
    CREATE INDEX artifacts_by_flow ON artifacts (flow_name, created_at);
    """,
    # 2: executions, their append-only event log, checkpoints and out-of-line blobs
    """
    CREATE TABLE executions (
        id              TEXT PRIMARY KEY,
        graph_id        TEXT NOT NULL,
        flow_name       TEXT NOT NULL,
        mode            TEXT NOT NULL,
        tenant_id       TEXT NOT NULL,
        status          TEXT NOT NULL,
        input           BLOB,
        input_json      TEXT,
        output_json     TEXT,
        error           TEXT,
        error_code      TEXT,
        config_id       TEXT,
        parent_id       TEXT,
        fork_checkpoint TEXT,
        debug_session   TEXT,
        created_at      REAL NOT NULL,
        started_at      REAL,
        updated_at      REAL NOT NULL,
        completed_at    REAL
    );
    CREATE INDEX executions_by_time ON executions (created_at);
    CREATE INDEX executions_by_status ON executions (status);
    CREATE INDEX executions_by_parent ON executions (parent_id);
    CREATE TABLE events (
        execution_id TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        type         TEXT NOT NULL,
        node         TEXT,
        time         REAL NOT NULL,
        duration_ms  REAL,
        attempt      INTEGER,
        data         TEXT,
        PRIMARY KEY (execution_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE blobs (
        id         TEXT PRIMARY KEY,
        data       BLOB NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE checkpoints (
        id           TEXT PRIMARY KEY,
        execution_id TEXT NOT NULL,
        step         INTEGER NOT NULL,
        node         TEXT NOT NULL,
        attempt      INTEGER NOT NULL,
        input_type   TEXT NOT NULL,
        output_type  TEXT NOT NULL,
        input        BLOB,
        input_blob   TEXT,
        output       BLOB,
        output_blob  TEXT,
        created_at   REAL NOT NULL,
        expired      INTEGER NOT NULL DEFAULT 0,
        UNIQUE (execution_id, step)
    );
    CREATE INDEX checkpoints_by_time ON checkpoints (created_at);
    """,
    # 3: debug sessions, secrets (encrypted), flow configs, agent memory
    """
    CREATE TABLE debug_sessions (
        id           TEXT PRIMARY KEY,
        mode         TEXT NOT NULL,
        execution_id TEXT,
        breakpoints  TEXT NOT NULL,
        created_at   REAL NOT NULL
    );
    CREATE TABLE secrets (
        tenant_id  TEXT NOT NULL,
        name       TEXT NOT NULL,
        value      BLOB NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (tenant_id, name)
    );
    CREATE TABLE flow_configs (
        id                   TEXT PRIMARY KEY,
        tenant_id            TEXT NOT NULL,
        flow_name            TEXT NOT NULL DEFAULT '',
        name                 TEXT NOT NULL,
        node_timeout_seconds REAL,
        max_attempts         INTEGER,
        created_at           REAL NOT NULL,
        updated_at           REAL NOT NULL,
        UNIQUE (tenant_id, flow_name, name)
    );
    CREATE TABLE config_secret_overrides (
        config_id TEXT NOT NULL REFERENCES flow_configs (id) ON DELETE CASCADE,
        name      TEXT NOT NULL,
        value     BLOB NOT NULL,
        PRIMARY KEY (config_id, name)
    );
    CREATE TABLE memory_entries (
        id          TEXT PRIMARY KEY,
        tenant_id   TEXT NOT NULL,
        flow_id     TEXT NOT NULL,
        session_id  TEXT NOT NULL DEFAULT '',
        content     TEXT NOT NULL,
        memory_type TEXT NOT NULL,
        importance  REAL NOT NULL,
        created_at  REAL NOT NULL
    );
    CREATE INDEX memory_by_scope ON memory_entries (tenant_id, flow_id, session_id);
    CREATE TABLE memory_turns (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id   TEXT NOT NULL,
        flow_id     TEXT NOT NULL,
        session_id  TEXT NOT NULL,
        role        TEXT NOT NULL,
        content     TEXT NOT NULL,
        created_at  REAL NOT NULL
    );
    CREATE INDEX memory_turns_by_session ON memory_turns (tenant_id, flow_id, session_id, id);
    """,
    # 4: tenancy of artifacts, API keys (SHA-256 only), per-tenant daily usage for quotas
    """
    ALTER TABLE artifacts ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'local';
    CREATE INDEX executions_by_tenant ON executions (tenant_id, created_at);
    CREATE TABLE api_keys (
        name        TEXT NOT NULL,
        tenant_id   TEXT NOT NULL,
        key_hash    TEXT NOT NULL UNIQUE,
        prefix      TEXT NOT NULL,
        suffix      TEXT NOT NULL,
        created_at  REAL NOT NULL,
        last_used   REAL,
        revoked_at  REAL,
        PRIMARY KEY (tenant_id, name)
    );
    CREATE TABLE tenant_usage (
        tenant_id   TEXT NOT NULL,
        day         TEXT NOT NULL,
        invocations INTEGER NOT NULL DEFAULT 0,
        executions  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, day)
    );
    """,
    # 5: debug sessions survive a restart: their tenant, and the gate's control state
    """
    ALTER TABLE debug_sessions ADD COLUMN tenant_id TEXT NOT NULL DEFAULT 'local';
    ALTER TABLE debug_sessions ADD COLUMN control TEXT NOT NULL DEFAULT 'run';
    ALTER TABLE debug_sessions ADD COLUMN paused_at TEXT;
    ALTER TABLE debug_sessions ADD COLUMN pause_reason TEXT;
    ALTER TABLE debug_sessions ADD COLUMN updated_at REAL;
    CREATE INDEX debug_sessions_by_execution ON debug_sessions (execution_id);
    """,
    # 6: checkpoint ids are time-ordered (checkpoints.new_checkpoint_id), so the TTL finds old
    # checkpoints through the id's own index and an index on created_at no longer costs a page in
    # every checkpoint commit. Rows whose id does not start with their time (all rows written before
    # this migration) keep such an index, partial, until they expire.
    """
    ALTER TABLE checkpoints ADD COLUMN unordered INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX checkpoints_unordered_by_time ON checkpoints (created_at) WHERE expired = 0 AND unordered = 1;
    DROP INDEX checkpoints_by_time;
    """,
    # 7: ending an agent-memory session marks it ended (its history stays; `rm` deletes)
    """
    CREATE TABLE memory_sessions (
        tenant_id  TEXT NOT NULL,
        flow_id    TEXT NOT NULL,
        session_id TEXT NOT NULL,
        ended_at   REAL NOT NULL,
        PRIMARY KEY (tenant_id, flow_id, session_id)
    );
    """,
    # 8: the step journal (store/journal.py): how far each journal file has been folded in; which
    # open database (runtime process) runs an execution, so no other runtime resumes it meanwhile
    """
    CREATE TABLE journal_folds (
        journal TEXT PRIMARY KEY,
        offset  INTEGER NOT NULL
    );
    ALTER TABLE executions ADD COLUMN owner TEXT;
    """,
    # 9: a revoked API key's row stays (audit) when its name is reused: names are unique among a
    # tenant's active keys only
    """
    CREATE TABLE api_keys_v9 (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        tenant_id   TEXT NOT NULL,
        key_hash    TEXT NOT NULL UNIQUE,
        prefix      TEXT NOT NULL,
        suffix      TEXT NOT NULL,
        created_at  REAL NOT NULL,
        last_used   REAL,
        revoked_at  REAL
    );
    INSERT INTO api_keys_v9 (name, tenant_id, key_hash, prefix, suffix, created_at, last_used, revoked_at)
        SELECT name, tenant_id, key_hash, prefix, suffix, created_at, last_used, revoked_at FROM api_keys;
    DROP TABLE api_keys;
    ALTER TABLE api_keys_v9 RENAME TO api_keys;
    CREATE UNIQUE INDEX api_keys_active_name ON api_keys (tenant_id, name) WHERE revoked_at IS NULL;
    """,
    # 10: a failed execution's error value (errors.Diagnostic as JSON: code, message, location, and
    # for a node that raised its exception type and traceback); NULL for executions stored before
    """
    ALTER TABLE executions ADD COLUMN error_detail TEXT;
    """,
    # 11: conditional and hit-count breakpoints (engine/debug.py BreakpointOptions), as JSON
    """
    ALTER TABLE debug_sessions ADD COLUMN breakpoint_options TEXT;
    """,
    # 12: agent memory (runtime/memory/): each entry's confidence, embedding (float32 bytes) and the
    # model that made it, when a merge last touched it; the sessions a consolidated fact came from;
    # each ended session's consolidation status (enqueued / running / done / failed) and outcome
    """
    ALTER TABLE memory_entries ADD COLUMN confidence REAL NOT NULL DEFAULT 1.0;
    ALTER TABLE memory_entries ADD COLUMN embedding BLOB;
    ALTER TABLE memory_entries ADD COLUMN embedding_model TEXT;
    ALTER TABLE memory_entries ADD COLUMN updated_at REAL;
    CREATE TABLE memory_fact_sources (
        tenant_id  TEXT NOT NULL,
        flow_id    TEXT NOT NULL,
        entry_id   TEXT NOT NULL,
        session_id TEXT NOT NULL,
        PRIMARY KEY (entry_id, session_id)
    );
    CREATE INDEX memory_fact_sources_by_session ON memory_fact_sources (tenant_id, flow_id, session_id);
    ALTER TABLE memory_sessions ADD COLUMN consolidation TEXT;
    ALTER TABLE memory_sessions ADD COLUMN consolidated_at REAL;
    ALTER TABLE memory_sessions ADD COLUMN consolidation_note TEXT;
    CREATE INDEX memory_turns_by_time ON memory_turns (created_at);
    """,
    # 13: clients (runtime/clients): a named bundle of members; immutable numbered versions (a frozen
    # snapshot as JSON); one build per (version, language) with its status, error and SDK zip
    """
    CREATE TABLE clients (
        tenant_id   TEXT NOT NULL,
        name        TEXT NOT NULL,
        members     TEXT NOT NULL,
        created_at  REAL NOT NULL,
        updated_at  REAL NOT NULL,
        PRIMARY KEY (tenant_id, name)
    );
    CREATE TABLE client_versions (
        tenant_id   TEXT NOT NULL,
        client      TEXT NOT NULL,
        number      INTEGER NOT NULL,
        snapshot    TEXT NOT NULL,
        created_at  REAL NOT NULL,
        PRIMARY KEY (tenant_id, client, number)
    );
    CREATE TABLE client_builds (
        tenant_id   TEXT NOT NULL,
        client      TEXT NOT NULL,
        number      INTEGER NOT NULL,
        language    TEXT NOT NULL,
        status      TEXT NOT NULL,
        error       TEXT NOT NULL DEFAULT '',
        archive     BLOB,
        updated_at  REAL NOT NULL,
        PRIMARY KEY (tenant_id, client, number, language)
    );
    """,
    # 14: agent memory is keyed by the flow's ULID-form id (runtime/flow_ids.py), no longer its name:
    # rows written under a name move to its id (axiom_flow_id is registered on every connection)
    """
    UPDATE memory_turns SET flow_id = axiom_flow_id(tenant_id, flow_id) WHERE NOT axiom_is_flow_id(flow_id);
    UPDATE memory_entries SET flow_id = axiom_flow_id(tenant_id, flow_id) WHERE NOT axiom_is_flow_id(flow_id);
    UPDATE OR REPLACE memory_sessions SET flow_id = axiom_flow_id(tenant_id, flow_id) WHERE NOT axiom_is_flow_id(flow_id);
    UPDATE memory_fact_sources SET flow_id = axiom_flow_id(tenant_id, flow_id) WHERE NOT axiom_is_flow_id(flow_id);
    """,
    # 15: the database instance that queued or runs a client build (NULL: unknown, a build from
    # before): a build whose owner is gone is failed when a client store is next opened
    """
    ALTER TABLE client_builds ADD COLUMN owner TEXT;
    """,
]
