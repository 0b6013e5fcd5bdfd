// On-disk format of the log. Described for humans in docs/log-format.md; keep the two in step.
// FORMAT is persisted in meta.format: DO-NOT-RENUMBER, only ever add a higher one with a migration.
//   1: the first format.
//   2: log rows carry sum and vsum (row-sum.ts), verified on every read. A format-1 file is
//      migrated when opened writable (its old rows keep NULL sums and are read unverified).
export const FORMAT = 2

export const schemaSql = `
CREATE TABLE IF NOT EXISTS meta (
  id                 INTEGER PRIMARY KEY CHECK (id = 1),
  format             INTEGER NOT NULL,
  revision           INTEGER NOT NULL,
  compact_revision   INTEGER NOT NULL,
  compacted_revision INTEGER NOT NULL,
  compact_cursor     INTEGER NOT NULL,
  sums_from          INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO meta (id, format, revision, compact_revision, compacted_revision, compact_cursor)
  VALUES (1, ${FORMAT}, 1, 0, 0, 0);

CREATE TABLE IF NOT EXISTS log (
  id         INTEGER PRIMARY KEY,
  rev        INTEGER NOT NULL,
  key        BLOB NOT NULL,
  create_rev INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  lease      INTEGER NOT NULL,
  value      BLOB,
  sum        INTEGER,
  vsum       INTEGER,
  CHECK ((version = 0) = (value IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);

CREATE TABLE IF NOT EXISTS live (
  key        BLOB PRIMARY KEY,
  id         INTEGER NOT NULL,
  mod_rev    INTEGER NOT NULL,
  create_rev INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  lease      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS live_lease ON live (lease) WHERE lease <> 0;

CREATE TABLE IF NOT EXISTS lease (
  id          INTEGER PRIMARY KEY,
  ttl         INTEGER NOT NULL,
  deadline_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS lease_deadline ON lease (deadline_ms);
`

/** Format 1 -> 2: the checksum columns (NULL for the rows already there). */
export const migrateTo2Sql = `
ALTER TABLE log ADD COLUMN sum INTEGER;
ALTER TABLE log ADD COLUMN vsum INTEGER;
ALTER TABLE meta ADD COLUMN sums_from INTEGER NOT NULL DEFAULT 0;
UPDATE meta SET format = 2, sums_from = (SELECT coalesce(max(id), 0) + 1 FROM log) WHERE id = 1;
`
