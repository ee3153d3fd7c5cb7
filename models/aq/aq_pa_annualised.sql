-- The payment-adequacy annual quantity of each account's gas register (the
-- seed system's ref_calculated_aq.igloo_aq, domain.md §5.6), from the
-- account's valid advances (consumption_advances with is_valid_advance):
--   an advance is used when every day of [from date, to date) has a WAALP
--   and a CV (aq_cumulative_alp_cv); others are left out of every sum and
--   counted in advances_without_coefficients
--   consumption  Σ advance of the used advances, in the meter's units
--   cv_average   mean CV over their days (MJ/m³)
--   units_factor m³ per meter unit: 2.83 for an imperial meter (indicator
--                Y, hundreds of cubic feet), 1 for a metric one (N);
--                NULL for U or none, and then no AQ (imperial_unknown)
--   kwh          consumption × 1.02264 (volume correction) × cv_average ×
--                units_factor / 3.6 (MJ per kWh)
--   pa_aq        kwh × 365 / Σ WAALP of their days
with registers as (
    select
        account_id,
        register_key,
        max(ldz)                    as ldz,
        max(imperial_indicator)     as imperial_indicator
    from {{ ref('ref_eac_aq_registers') }}
    where fuel = 'gas'
    group by account_id, register_key
),
advances as (
    select
        a.account_id,
        a.register_key,
        a.mpxn,
        a.meter_serial,
        a.register_id,
        a.from_read_at,
        a.to_read_at,
        a.advance,
        a.days,
        r.ldz,
        r.imperial_indicator,
        c_to.cwaalp - c_from.cwaalp               as waalp,
        c_to.waalp_count - c_from.waalp_count     as waalp_days,
        c_to.ccv - c_from.ccv                     as cv_sum,
        c_to.cv_count - c_from.cv_count           as cv_days
    from {{ ref('consumption_advances') }} as a
    join registers as r
        on r.account_id = a.account_id and r.register_key = a.register_key
    left join {{ ref('aq_cumulative_alp_cv') }} as c_from
        on c_from.ldz = r.ldz and c_from.coeff_date = cast(a.from_read_at as date)
    left join {{ ref('aq_cumulative_alp_cv') }} as c_to
        on c_to.ldz = r.ldz and c_to.coeff_date = cast(a.to_read_at as date)
    where a.fuel = 'gas'
      and a.is_valid_advance
),
judged as (
    select *, coalesce(waalp_days = days and cv_days = days, false) as is_covered
    from advances
),
summed as (
    select
        account_id,
        register_key,
        min(mpxn)                                               as mpxn,
        min(meter_serial)                                       as meter_serial,
        min(register_id)                                        as register_id,
        min(ldz)                                                as ldz,
        min(imperial_indicator)                                 as imperial_indicator,
        min(from_read_at)                                       as first_read_at,
        max(to_read_at)                                         as last_read_at,
        count(*)                                                as valid_advances,
        sum(case when is_covered then 1 else 0 end)             as advances_used,
        sum(case when is_covered then 0 else 1 end)             as advances_without_coefficients,
        sum(case when is_covered then days else 0 end)          as days_used,
        sum(case when is_covered then advance end)              as consumption,
        sum(case when is_covered then waalp end)                as waalp,
        sum(case when is_covered then cv_sum end)               as cv_sum,
        sum(case when is_covered then cv_days end)              as cv_days
    from judged
    group by account_id, register_key
),
computed as (
    select
        *,
        cv_sum / nullif(cv_days, 0)                                         as cv_average,
        {{ gas_units_factor('imperial_indicator') }}                        as units_factor,
        consumption * {{ gas_volume_correction_factor() }} * (cv_sum / nullif(cv_days, 0))
            * {{ gas_units_factor('imperial_indicator') }} / {{ mj_per_kwh() }} as kwh,
        case
            when ldz is null then 'no_ldz'
            when {{ gas_units_factor('imperial_indicator') }} is null then 'imperial_unknown'
            when advances_used = 0 then 'no_coefficients'
            when not waalp > 0 then 'zero_waalp'
        end                                                                 as aq_issue
    from summed
)
select
    cast(account_id as varchar) || '|' || register_key                      as account_register_key,
    account_id,
    register_key,
    mpxn,
    meter_serial,
    register_id,
    ldz,
    imperial_indicator,
    first_read_at,
    last_read_at,
    valid_advances,
    advances_used,
    advances_without_coefficients,
    days_used,
    {{ round6('consumption') }}                                             as consumption,
    {{ round6('cv_average') }}                                              as cv_average,
    units_factor,
    {{ round6('waalp') }}                                                   as waalp,
    case when aq_issue is null then {{ round6('kwh') }} end                 as kwh,
    case when aq_issue is null then {{ round6('kwh * 365 / waalp') }} end   as pa_aq,
    aq_issue
from computed
