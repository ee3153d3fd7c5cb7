-- Xoserve Annual Load Profiles and Daily Adjustment Factors (domain.md
-- §1.6, §5.5): per LDZ, end-user category (EUC) and gas day, the day's
-- ALP (a year of them sums to about 365) and DAF, the sensitivity of the
-- day's demand to the weather correction factor. The seed system's CSVs
-- called them ForecastDocumentation and Variance; they land here as alp
-- and daf.

-- +goose Up
create table raw.alp_daf (
    load_id            text             not null,
    file_name          text             not null,
    line_no            bigint           not null,
    region_profile     text,                       -- as delivered, e.g. EA:E2301B (NULL when LDZ and EUC come in columns of their own)
    ldz                text             not null,  -- EA, EM, NE, NO, NT, NW, SC, SE, SO, SW, WM, WN, WS
    end_user_category  text             not null,  -- the EUC code without the LDZ ("E2301B")
    gas_day            timestamp        not null,  -- midnight
    alp                double precision not null,
    daf                double precision not null
);

-- +goose Down
drop table raw.alp_daf;
