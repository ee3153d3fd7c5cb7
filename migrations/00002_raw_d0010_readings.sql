-- D0010 (MRA DTC "Meter Readings") flows: one row per 030 register reading,
-- with its 026 MPAN core and 028 meter group carried down.

-- +goose Up
create table raw.d0010_readings (
    load_id            text             not null,
    file_name          text             not null,
    line_no            bigint           not null,  -- line of the 030 record
    flow_file_id       text             not null,  -- ZHV file identifier
    flow_created_at    timestamp,                  -- ZHV creation time (UK clock)
    mpan_core          text             not null,  -- 026 J0003
    mpan_check_ok      boolean          not null,  -- MPAN check digit valid
    validation_status  text,                       -- 026 J0022 (V = valid)
    meter_serial       text             not null,  -- 028 J0004, as delivered (spaces kept)
    reading_type       text,                       -- 028 J0171 (C customer, D deemed, F final, ...)
    register_id        text             not null,  -- 030 J0010 (S, 01, TO, DY, NT, ...)
    read_at            timestamp        not null,  -- 030 J0016 (UK clock)
    reading_value      double precision not null,  -- 030 J0040
    md_reset_at        timestamp,                  -- 030 J0044
    md_reset_count     bigint,                     -- 030 J0045
    reading_flag       text,                       -- 030 J0046 (T/F)
    reading_method     text                        -- 030 J1888 (N/R/...)
);

-- +goose Down
drop table raw.d0010_readings;
