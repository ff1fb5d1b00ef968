-- Datasets (where saved spans go) and their entries. Same write model as spans: complete rows at a
-- version, ReplacingMergeTree(version, deleted), read with FINAL. A dataset's id is derived from its
-- project and name (UUIDv5-style), so saving "by name" needs no lookup.

CREATE TABLE IF NOT EXISTS datasets
(
    project_id UUID,
    dataset_id UUID,
    name       String,
    created_at DateTime64(6, 'UTC'),
    version    UInt64,
    deleted    UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, dataset_id);

CREATE TABLE IF NOT EXISTS dataset_entries
(
    project_id UUID,
    dataset_id UUID,
    entry_id   UUID,
    -- The span it was saved from, when it was.
    span_id    Nullable(UUID),
    input      Nullable(String) CODEC(ZSTD(3)),
    output     Nullable(String) CODEC(ZSTD(3)),
    expected   Nullable(String) CODEC(ZSTD(3)),
    comment    Nullable(String),
    created_at DateTime64(6, 'UTC'),
    version    UInt64,
    deleted    UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, dataset_id, entry_id);
