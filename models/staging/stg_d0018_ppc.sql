-- D0018 Period Profile Coefficients, one row per PPC record, with the
-- day's sum of its 50 slots (an empty slot counts 0) and how many periods
-- the register is on (Σ PRSI). tpr is the time pattern regime as a number
-- ("00043" is 43), as registers carry it. Every run is here;
-- ref_d18_ppc keeps the latest.
select
    cast(settlement_date as date)   as settlement_date,
    settlement_code,
    run_type,
    run_number,
    gsp_group_id,
    profile_class_id,
    profile_id,
    ssc_id,
    cast(tpr_id as bigint)          as tpr,
    period_count,
    {{ slot_sum('ppc') }}           as ppc_sum,
    {{ slot_sum('prsi') }}          as registered_periods,
    file_name,
    line_no,
    load_id
from {{ source('reference', 'd0018_ppc') }}
