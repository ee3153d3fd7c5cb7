-- State of API extraction, which goes one unit of work (an account) at a
-- time: each unit's cursors are committed in the same transaction as the
-- rows they cover, and a unit that fails is recorded so the next run
-- retries it instead of silently dropping it.

-- +goose Up
-- The committed cursor of each (extractor, unit, entity): opaque to the
-- warehouse (the extractor's own text, JSON for billing).
create table raw.extract_cursors (
    extractor   text        not null,
    unit        text        not null,   -- e.g. the account id
    entity      text        not null,   -- e.g. readings, meterpoints
    cursor      text        not null,
    updated_at  timestamptz not null,
    load_id     text        not null,
    primary key (extractor, unit, entity)
);

-- Units whose last attempt failed; a unit leaves this table when a run
-- commits it.
create table raw.extract_failures (
    extractor        text        not null,
    unit             text        not null,
    attempts         bigint      not null,  -- runs that failed on it in a row
    last_error       text        not null,  -- secrets removed
    first_failed_at  timestamptz not null,
    last_failed_at   timestamptz not null,
    load_id          text        not null,  -- the run that failed last
    primary key (extractor, unit)
);

-- +goose Down
drop table raw.extract_failures;
drop table raw.extract_cursors;
