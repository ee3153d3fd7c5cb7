-- National Grid gas data items (Data Item Explorer CSV exports, and files
-- the seed system's MIPI extract wrote): one row per data item and gas day,
-- daily calorific values (CV, MJ/m³) and allocated weather correction
-- factors (WCF) per LDZ. value is the true value: a row the legacy extract
-- doubled (`df += df`, domain.md §1.6, §8.5 item 1) is recognised by its
-- text columns repeated twice over, and halved here, at the source;
-- value_as_delivered keeps what the file said.

-- +goose Up
create table raw.nationalgrid_data_items (
    load_id             text             not null,
    file_name           text             not null,
    line_no             bigint           not null,
    data_item           text             not null,  -- "Calorific Value, LDZ(EA)"
    item                text,                       -- calorific_value, weather_correction_factor; NULL for other items
    area                text,                       -- the LDZ (EA..WS) or place (Campbeltown) the item is for
    applicable_for      timestamp        not null,  -- the gas day (midnight)
    applicable_at       timestamp,                  -- when the value was published (UK clock)
    generated_at        timestamp,                  -- when the export was generated (UK clock)
    quality_indicator   text,
    value               double precision not null,  -- the true value
    value_as_delivered  double precision not null,  -- as in the file
    doubled_at_source   boolean          not null   -- the legacy extract doubled this row; value = value_as_delivered / 2
);

-- +goose Down
drop table raw.nationalgrid_data_items;
