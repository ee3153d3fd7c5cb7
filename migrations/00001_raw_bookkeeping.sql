-- The raw schema holds data exactly as sources deliver it. Extractors write
-- here; models read it through sources. Two bookkeeping tables make every
-- load idempotent and every rejected record visible.

-- +goose Up
create schema if not exists raw;

-- One row per file landed: re-extracting a file whose checksum is here is a no-op.
create table raw.file_registry (
    extractor      text        not null,
    file_name      text        not null,
    size_bytes     bigint      not null,
    sha256         text        not null,
    load_id        text        not null,
    loaded_at      timestamptz not null,
    rows_loaded    bigint      not null,
    rows_rejected  bigint      not null,
    primary key (extractor, sha256)
);

-- Quarantine: every record an extractor could not parse, with where and why.
create table raw.rejected_records (
    load_id      text        not null,
    extractor    text        not null,
    file_name    text        not null,
    line_no      bigint      not null,
    raw_text     text,
    reason       text        not null,
    rejected_at  timestamptz not null
);

-- +goose Down
drop table raw.rejected_records;
drop table raw.file_registry;
