-- Alert rules, the events their transitions produce, and every delivery attempt. Design: docs/ALERTS.md.

-- Rules are control-plane rows written by the API (like datasets): the whole definition at a version,
-- ReplacingMergeTree(version, deleted), read with FINAL. `spec` is the rule as JSON text (source,
-- filter, aggregation, window, channels…), validated by the API's schema on the way in. `secret` signs
-- webhook bodies, so it is stored as is (a hash could not sign).
CREATE TABLE IF NOT EXISTS alert_rules
(
    project_id UUID,
    rule_id    UUID,
    spec       String,
    secret     String,
    created_at DateTime64(6, 'UTC'),
    updated_at DateTime64(6, 'UTC'),
    version    UInt64,
    deleted    UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version, deleted)
ORDER BY (project_id, rule_id);

-- One row per event of a rule, numbered by `seq`. The sorting key ends in seq, so two writes of the
-- same n-th event of a rule (a replaced owner racing its successor) collapse into one row.
CREATE TABLE IF NOT EXISTS alert_events
(
    project_id       UUID,
    rule_id          UUID,
    seq              UInt64,
    event_id         UUID,
    kind             LowCardinality(String),
    severity         LowCardinality(String),
    rule_name        String,
    value            Nullable(Float64),
    threshold        Float64,
    comparator       LowCardinality(String),
    aggregation      LowCardinality(String),
    source           String,
    window_seconds   UInt32,
    window_start     DateTime64(6, 'UTC'),
    window_end       DateTime64(6, 'UTC'),
    at               DateTime64(6, 'UTC'),
    sample_trace_ids Array(String),
    -- The channels as they were at the transition, so a restarted alerter can finish delivering.
    channels         String,
    INDEX idx_at at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree
ORDER BY (project_id, rule_id, seq);

-- Every delivery attempt of an event to one channel (by its index in the event's channels).
-- outcome: delivered | failed (will retry) | gave_up.
CREATE TABLE IF NOT EXISTS alert_deliveries
(
    project_id   UUID,
    rule_id      UUID,
    event_id     UUID,
    channel      UInt8,
    channel_type LowCardinality(String),
    attempt      UInt16,
    outcome      LowCardinality(String),
    http_status  Nullable(UInt16),
    error        Nullable(String),
    duration_ms  UInt32,
    at           DateTime64(6, 'UTC')
)
ENGINE = MergeTree
ORDER BY (project_id, event_id, channel, attempt)
TTL toDateTime(at) + INTERVAL 30 DAY;
