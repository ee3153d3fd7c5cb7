{{ config(tags=['readings']) }}
-- The plausibility thresholds of a new gas reading (the seed system's
-- ref_estimated_advance_gas, domain.md §4.4): one row per in-scope gas
-- register of each account (ref_eac_aq_registers), with the advance, in
-- the meter's units, that its AQ implies since its last valid reading,
-- and an inner and an outer band for a newly submitted reading's advance.
--   last_read_*           the register's latest valid reading on or before
--                         the as-of date (readings_valid), whichever account
--                         read it
--   days_since_last_read  as-of date - the last read's date
--   aq                    the account's PA AQ (aq_pa_annualised) when above
--                         0, else the industry AQ in force today (billing
--                         estimates), else the register's AQ (aq_source)
--   mean_daily_waalp      (cwaalp(today) - cwaalp(last read date)) / the
--                         days with a WAALP between them, and cv_average
--                         the mean CV of those days (aq_cumulative_alp_cv),
--                         else var estimated_advance_default_cv (39.417)
--   estimated_kwh         aq × mean_daily_waalp × days / 365 (estimate_method
--                         waalp), else aq × days / 365 in decimals
--                         (days_over_365)
--   estimated_advance     estimated_kwh × 3.6 / (1.02264 × cv_average × U):
--                         m³, or hundreds of cubic feet on an imperial meter
--                         (U = 2.83 for indicator Y, 1 for N); no advance
--                         when the indicator is U or missing
--                         (imperial_unknown), as no AQ is calculated then
--   inner/outer thresholds tol_min% / tol_max% × estimated_advance, from the
--                         plausibility_tolerances rows industry_tolerance_gas
--                         / 3 / ind_gas_inner and ind_gas_outer in force on
--                         the as-of date whose AQ range holds the AQ
--   register_num_digits   the register's dials, 5 when unknown
with registers as (
    select * from {{ ref('ref_eac_aq_registers') }}
    where fuel = 'gas' and in_scope
),
last_reads as (
    {{ last_valid_reads() }}
),
estimates as (
    {{ estimates_in_force('G') }}
),
figures as (
    select
        r.register_row_key,
        r.account_id,
        r.meter_point_id,
        r.meter_id,
        r.register_id,
        r.register_key,
        r.mpxn,
        r.meter_serial,
        r.ldz,
        r.imperial_indicator,
        {{ gas_units_factor('r.imperial_indicator') }}                  as units_factor,
        r.digit_count,
        l.read_at                                                       as last_read_at,
        cast(l.read_at as date)                                         as last_read_date,
        l.reading_value                                                 as last_read_value,
        {{ as_of_date() }} - cast(l.read_at as date)                    as days_since_last_read,
        p.pa_aq,
        coalesce(e.estimation_value, r.industry_eac_aq)                 as industry_aq,
        case
            when p.pa_aq > 0 then p.pa_aq
            else coalesce(e.estimation_value, r.industry_eac_aq)
        end                                                             as aq,
        case
            when p.pa_aq > 0 then 'pa_aq'
            when e.estimation_value is not null then 'industry_estimate'
            when r.industry_eac_aq is not null then 'register_aq'
        end                                                             as aq_source,
        ct.waalp_count - cf.waalp_count                                 as waalp_days,
        (ct.cwaalp - cf.cwaalp) / nullif(ct.waalp_count - cf.waalp_count, 0) as mean_daily_waalp,
        (ct.ccv - cf.ccv) / nullif(ct.cv_count - cf.cv_count, 0)        as window_cv
    from registers as r
    left join last_reads as l
        on l.register_key = r.register_key and l.pick = 1
    left join {{ ref('aq_pa_annualised') }} as p
        on p.account_id = r.account_id and p.register_key = r.register_key
    left join estimates as e
        on e.register_key = r.register_key and e.pick = 1
    left join {{ ref('aq_cumulative_alp_cv') }} as cf
        on cf.ldz = r.ldz and cf.coeff_date = cast(l.read_at as date)
    left join {{ ref('aq_cumulative_alp_cv') }} as ct
        on ct.ldz = r.ldz and ct.coeff_date = {{ as_of_date() }}
),
estimated as (
    select
        *,
        coalesce(window_cv, {{ estimated_advance_default_cv() }})       as cv_average,
        case when window_cv is not null then 'window' else 'default' end as cv_source,
        case
            when last_read_at is null or aq is null then null
            when mean_daily_waalp is not null then 'waalp'
            else 'days_over_365'
        end                                                             as estimate_method,
        case
            when last_read_at is null or aq is null then null
            when mean_daily_waalp is not null then aq * mean_daily_waalp * days_since_last_read / 365
            else aq * cast(days_since_last_read as numeric(18, 6)) / 365
        end                                                             as kwh
    from figures
),
converted as (
    select
        *,
        kwh * {{ mj_per_kwh() }} / ({{ gas_volume_correction_factor() }} * cv_average * units_factor) as advance
    from estimated
),
tolerances as (
    select
        x.register_row_key,
        t.lookup_key,
        t.tol_min,
        t.tol_max,
        row_number() over (
            partition by x.register_row_key, t.lookup_key
            order by t.effective_from desc, t.lookup_range_min desc nulls last
        ) as pick
    from converted as x
    join {{ ref('plausibility_tolerances') }} as t
        on {{ tolerance_applies('t', 'industry_tolerance_gas', 3, 'ind_gas_inner', 'x.aq') }}
        or {{ tolerance_applies('t', 'industry_tolerance_gas', 3, 'ind_gas_outer', 'x.aq') }}
)
select
    x.register_row_key,
    x.account_id,
    x.meter_point_id,
    x.meter_id,
    x.register_id,
    x.register_key,
    x.mpxn,
    x.meter_serial,
    x.ldz,
    x.imperial_indicator,
    x.units_factor,
    coalesce(x.digit_count, {{ estimated_advance_default_digits() }})   as register_num_digits,
    x.digit_count is null                                               as register_num_digits_defaulted,
    x.last_read_at,
    x.last_read_date,
    x.last_read_value,
    {{ as_of_date() }}                                                  as today,
    x.days_since_last_read,
    x.pa_aq,
    x.industry_aq,
    x.aq,
    x.aq_source,
    x.waalp_days,
    {{ round6('x.mean_daily_waalp') }}                                  as mean_daily_waalp,
    {{ round6('x.cv_average') }}                                        as cv_average,
    x.cv_source,
    x.estimate_method,
    {{ round6('x.kwh') }}                                               as estimated_kwh,
    {{ round6('x.advance') }}                                           as estimated_advance,
    ti.tol_min                                                          as inner_tol_min,
    ti.tol_max                                                          as inner_tol_max,
    {{ round6('x.advance * ti.tol_min / 100') }}                        as inner_lower_threshold,
    {{ round6('x.advance * ti.tol_max / 100') }}                        as inner_upper_threshold,
    tout.tol_min                                                        as outer_tol_min,
    tout.tol_max                                                        as outer_tol_max,
    {{ round6('x.advance * tout.tol_min / 100') }}                      as outer_lower_threshold,
    {{ round6('x.advance * tout.tol_max / 100') }}                      as outer_upper_threshold,
    case
        when x.last_read_at is null then 'no_valid_read'
        when x.aq is null then 'no_aq'
        when x.units_factor is null then 'imperial_unknown'
        when ti.tol_min is null or tout.tol_min is null then 'no_tolerance'
    end                                                                 as advance_issue
from converted as x
left join tolerances as ti
    on ti.register_row_key = x.register_row_key and ti.lookup_key = 'ind_gas_inner' and ti.pick = 1
left join tolerances as tout
    on tout.register_row_key = x.register_row_key and tout.lookup_key = 'ind_gas_outer' and tout.pick = 1
