-- D0018 Basic Period Profile Coefficients, one row per BPP record, with
-- the day's sum of its 50 slots (an empty slot counts 0, domain.md §1.5):
-- the fraction of a year's consumption the profile expects on that day.
-- Every run of every day is here; ref_d18_bpp keeps the latest.
select
    cast(settlement_date as date)   as settlement_date,
    settlement_code,
    run_type,
    run_number,
    gsp_group_id,
    profile_class_id,
    profile_id,
    period_count,
    {{ slot_sum('bpp') }}           as bpp_sum,
    file_name,
    line_no,
    load_id
from {{ source('reference', 'd0018_bpp') }}
