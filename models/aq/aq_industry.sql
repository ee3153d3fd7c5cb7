-- The industry-style AQ of each gas register (the seed system's
-- igl_ind_aq, domain.md §5.6), mirroring the industry's rolling AQ:
--   close read   the register's latest valid reading
--   open read    of its earlier valid readings dated 273 to 1,095 days
--                before the close read (vars aq_open_read_min_days,
--                aq_open_read_max_days) and not before 2014-10-01 (var
--                aq_earliest_open_date, the oldest WAALP), and not a data
--                collector's (reading source DC or DCOPENING), the one
--                with the lowest suitability score: 365 - days when days ≤
--                365, else days (the read nearest a year old, approached
--                from nine months; otherwise the youngest older than a
--                year); the account is not matched, so a previous
--                occupier's reading can open the pair
--   consumption  Σ of the advances between them (rollovers added); no AQ
--                if one went backwards (invalid_advance)
--   Σ WAALP and the mean CV over [open date, close date), complete or no AQ
--   aq           consumption × 1.02264 × cv_average × units_factor / 3.6
--                × 365 / Σ WAALP (units_factor 2.83 imperial, 1 metric,
--                none when the indicator is U or missing)
-- industry_aq_on_register and industry_aq_on_estimates are the AQ the
-- billing platform holds on the register and in its estimates, for
-- comparison.
with chain as (
    select * from {{ ref('consumption_advances') }} where fuel = 'gas'
),
reads as (
    select register_key, from_reading_id as reading_id, from_read_at as read_at, from_value as reading_value from chain
    union
    select register_key, to_reading_id, to_read_at, to_value from chain
),
closing as (
    select register_key, max(to_read_at) as close_read_at, min(mpxn) as mpxn,
           min(meter_serial) as meter_serial, min(register_id) as register_id
    from chain
    group by register_key
),
candidates as (
    select
        c.register_key,
        c.close_read_at,
        r.read_at,
        cast(c.close_read_at as date) - cast(r.read_at as date)    as days
    from closing as c
    join reads as r on r.register_key = c.register_key
    join {{ ref('readings_valid') }} as v on v.reading_id = r.reading_id
    where coalesce(v.reading_source, '') not in ('DC', 'DCOPENING')
      and cast(r.read_at as date) >= cast('{{ var("aq_earliest_open_date", "2014-10-01") }}' as date)
      and cast(c.close_read_at as date) - cast(r.read_at as date)
          between {{ var('aq_open_read_min_days', 273) }} and {{ var('aq_open_read_max_days', 1095) }}
),
scored as (
    select
        *,
        case when days <= 365 then 365 - days else days end        as suitability_score,
        row_number() over (
            partition by register_key
            order by case when days <= 365 then 365 - days else days end, read_at desc
        )                                                           as pick
    from candidates
),
opening as (
    select c.register_key, c.mpxn, c.meter_serial, c.register_id, c.close_read_at, s.read_at as open_read_at, s.suitability_score
    from closing as c
    left join scored as s on s.register_key = c.register_key and s.pick = 1
),
span as (
    select
        o.register_key,
        count(ch.register_key)                                                       as advances,
        sum(ch.advance)                                                              as consumption,
        sum(case when ch.advance_issue is null or ch.advance_issue = 'same_day' then 0 else 1 end) as bad_advances
    from opening as o
    left join chain as ch
        on ch.register_key = o.register_key
       and ch.from_read_at >= o.open_read_at and ch.to_read_at <= o.close_read_at
    group by o.register_key
),
attributes as (
    select
        *,
        row_number() over (
            partition by register_key
            order by case when in_scope then 0 else 1 end, supply_start desc nulls last, account_id desc
        ) as pick
    from {{ ref('ref_eac_aq_registers') }}
    where fuel = 'gas'
),
estimates as (
    select
        {{ estimate_register_key('mpxn', 'serial_number', 'register_id') }} as register_key,
        estimation_value,
        row_number() over (
            partition by {{ estimate_register_key('mpxn', 'serial_number', 'register_id') }}
            order by effective_from desc, estimation_value desc
        ) as pick
    from {{ source('billing_api_eac_aq', 'estimates') }}
    where fuel = 'G' and estimation_value is not null
),
priced as (
    select
        o.register_key,
        o.mpxn,
        o.meter_serial,
        o.register_id,
        a.ldz,
        a.imperial_indicator,
        o.open_read_at,
        ro.reading_value                                                as open_value,
        o.close_read_at,
        rc.reading_value                                                as close_value,
        cast(o.close_read_at as date) - cast(o.open_read_at as date)    as days,
        o.suitability_score,
        s.advances,
        s.bad_advances,
        s.consumption,
        c_to.cwaalp - c_from.cwaalp                                     as waalp,
        c_to.waalp_count - c_from.waalp_count                           as waalp_days,
        (c_to.ccv - c_from.ccv) / nullif(c_to.cv_count - c_from.cv_count, 0) as cv_average,
        c_to.cv_count - c_from.cv_count                                 as cv_days,
        {{ gas_units_factor('a.imperial_indicator') }}                  as units_factor,
        a.industry_eac_aq                                               as industry_aq_on_register,
        e.estimation_value                                              as industry_aq_on_estimates
    from opening as o
    join span as s on s.register_key = o.register_key
    left join attributes as a on a.register_key = o.register_key and a.pick = 1
    left join reads as ro on ro.register_key = o.register_key and ro.read_at = o.open_read_at
    left join reads as rc on rc.register_key = o.register_key and rc.read_at = o.close_read_at
    left join estimates as e on e.register_key = o.register_key and e.pick = 1
    left join {{ ref('aq_cumulative_alp_cv') }} as c_from
        on c_from.ldz = a.ldz and c_from.coeff_date = cast(o.open_read_at as date)
    left join {{ ref('aq_cumulative_alp_cv') }} as c_to
        on c_to.ldz = a.ldz and c_to.coeff_date = cast(o.close_read_at as date)
),
judged as (
    select
        *,
        consumption * {{ gas_volume_correction_factor() }} * cv_average * units_factor / {{ mj_per_kwh() }} as kwh,
        case
            when ldz is null then 'no_ldz'
            when open_read_at is null then 'no_open_read'
            when bad_advances > 0 then 'invalid_advance'
            when units_factor is null then 'imperial_unknown'
            when waalp_days is null or waalp_days <> days or cv_days <> days then 'incomplete_coefficients'
            when not waalp > 0 then 'zero_waalp'
        end as aq_issue
    from priced
)
select
    register_key,
    mpxn,
    meter_serial,
    register_id,
    ldz,
    imperial_indicator,
    open_read_at,
    open_value,
    close_read_at,
    close_value,
    days,
    suitability_score,
    advances,
    {{ round6('consumption') }}                                             as consumption,
    {{ round6('cv_average') }}                                              as cv_average,
    units_factor,
    {{ round6('waalp') }}                                                   as waalp,
    case when aq_issue is null then {{ round6('kwh') }} end                 as kwh,
    case when aq_issue is null then {{ round6('kwh * 365 / waalp') }} end   as aq,
    aq_issue,
    industry_aq_on_register,
    industry_aq_on_estimates
from judged
