-- Caravan's own tables. Spring Batch keeps its tables (BATCH_*) beside them.

-- Camel's idempotent repository (camel-sql JdbcMessageIdRepository), with room for long object keys.
CREATE TABLE IF NOT EXISTS CAMEL_MESSAGEPROCESSED (
    processorName VARCHAR(255) NOT NULL,
    messageId VARCHAR(1024) NOT NULL,
    createdAt TIMESTAMP,
    PRIMARY KEY (processorName, messageId)
);

-- One row a retrain run: the job instance it is, the data it trains on and how it went.
CREATE TABLE IF NOT EXISTS caravan_run (
    run_name VARCHAR(63) NOT NULL PRIMARY KEY,
    model VARCHAR(63) NOT NULL,
    snapshot VARCHAR(64) NOT NULL,
    job_instance_id BIGINT,
    job_execution_id BIGINT,
    status VARCHAR(16) NOT NULL,
    outcome VARCHAR(16),
    message VARCHAR(4000),
    model_version BIGINT,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    ended_at TIMESTAMP
);
CREATE INDEX IF NOT EXISTS caravan_run_created ON caravan_run (created_at);

-- Training curves, as the trainer reported them.
CREATE TABLE IF NOT EXISTS caravan_run_scalar (
    run_name VARCHAR(63) NOT NULL,
    step INT NOT NULL,
    loss DOUBLE PRECISION,
    accuracy DOUBLE PRECISION,
    PRIMARY KEY (run_name, step)
);

-- The model registry: every version a run produced, its metrics and its state.
CREATE TABLE IF NOT EXISTS caravan_model_version (
    model VARCHAR(63) NOT NULL,
    version BIGINT NOT NULL,
    run_name VARCHAR(63) NOT NULL,
    snapshot VARCHAR(64) NOT NULL,
    export_uri VARCHAR(1024) NOT NULL,
    accuracy DOUBLE PRECISION,
    state VARCHAR(16) NOT NULL,
    reason VARCHAR(4000),
    created_at TIMESTAMP NOT NULL,
    promoted_at TIMESTAMP,
    retired_at TIMESTAMP,
    PRIMARY KEY (model, version),
    CONSTRAINT caravan_model_version_run UNIQUE (run_name)
);

-- Data snapshots: the objects (keys and ETags) a run trains on, frozen when its trigger fired.
CREATE TABLE IF NOT EXISTS caravan_snapshot (
    hash VARCHAR(64) NOT NULL PRIMARY KEY,
    location VARCHAR(1024) NOT NULL,
    objects CLOB NOT NULL,
    object_count INT NOT NULL,
    total_bytes BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
