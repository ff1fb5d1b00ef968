-- Projects and their API keys. Tiny tables read on every authenticated request (cached in the
-- services), so plain ReplacingMergeTree keyed by id is enough; `version` lets a later row revoke a key.

CREATE TABLE IF NOT EXISTS projects
(
    id         UUID,
    name       String,
    created_at DateTime64(6, 'UTC') DEFAULT now64(6),
    version    UInt64,
    deleted    UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;

-- Keys are stored as SHA-256 of the secret (the secret is 256 random bits, so a slow KDF adds nothing);
-- the prefix is kept in clear only to tell keys apart in listings.
CREATE TABLE IF NOT EXISTS api_keys
(
    key_hash     FixedString(64),
    key_prefix   String,
    project_id   UUID,
    name         String,
    created_at   DateTime64(6, 'UTC') DEFAULT now64(6),
    revoked_at   Nullable(DateTime64(6, 'UTC')),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY key_hash;
