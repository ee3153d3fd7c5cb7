-- Half-hourly consumption files: one row per interval. Interval bounds are
-- instants (timestamptz), so UK clock-change days keep 46 or 50 periods.

-- +goose Up
create table raw.halfhourly_consumption (
    load_id         text             not null,
    file_name       text             not null,
    line_no         bigint           not null,
    mpxn            text,                       -- from an MPAN column or the file name, when present
    meter_serial    text,
    interval_start  timestamptz      not null,
    interval_end    timestamptz      not null,
    kwh             double precision not null
);

-- +goose Down
drop table raw.halfhourly_consumption;
