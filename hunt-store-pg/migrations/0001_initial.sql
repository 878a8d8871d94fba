-- The first layout of a hunt-store-pg schema. Every name is unqualified: the store sets
-- `search_path` to its schema on each connection, so several schemas (deployments, tests)
-- share one database without seeing each other.

-- Each hunt's definition source, with its SHA-256 digest: the version that
-- `save_definition` compares and sets in one statement.
CREATE TABLE definitions (
    hunt text PRIMARY KEY,
    source text NOT NULL,
    digest bytea NOT NULL CHECK (length(digest) = 32)
);

-- The end of each hunt's log (no row: an empty log). The row lock taken by the conditional
-- UPDATE serialises the writers of one hunt, so positions commit in order and a reader that
-- follows "position > last seen" never skips one.
CREATE TABLE log_end (
    hunt text PRIMARY KEY,
    end_pos bigint NOT NULL CHECK (end_pos > 0)
);

-- The log: one row per event, its body the core's serde JSON as bytes (bytea, not jsonb, so
-- that every string an event may hold, NUL included, round-trips byte for byte).
CREATE TABLE events (
    hunt text NOT NULL,
    pos bigint NOT NULL CHECK (pos > 0),
    body bytea NOT NULL,
    PRIMARY KEY (hunt, pos)
);

-- At most one checkpoint per hunt, in the core's `Checkpoint::to_bytes` frame; `seq` is its
-- position, compared by the conditional upsert (-1 marks a body found damaged, which any
-- checkpoint then replaces).
CREATE TABLE checkpoints (
    hunt text PRIMARY KEY,
    seq bigint NOT NULL,
    body bytea NOT NULL
);
