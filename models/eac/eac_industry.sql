-- The industry-style EAC of each electricity register (the seed system's
-- igl_ind_eac, "EAC v1", domain.md §5.4: BSCP504's annualised advance
-- smoothed with the previous EAC), from its last two valid readings on
-- different days, whichever account read them:
--   close read    the register's latest valid reading
--   open read     its latest valid reading on an earlier date
--   consumption   Σ of the advances between them (rollovers added);
--                 NULL with eac_issue invalid_advance if one of them went
--                 backwards
--   ppc           Σ profile coefficients over [open date, close date),
--                 complete (ppc_days = days) or no result
--   previous_eac  the industry EAC the billing platform held at the open
--                 read (the estimate effective then), else the register's
--                 EAC (previous_eac_source says which)
--   annualised_advance = consumption / ppc; weighting b = SP × ppc
--                 (SP = var eac_smoothing_parameter, 2)
--   eac           annualised_advance when b > 1, else
--                 annualised_advance × b + previous_eac × (1 - b), to 1 dp;
--                 the previous EAC is only needed when b ≤ 1 (the seed
--                 system gave no result without one even when b > 1)
with chain as (
    select * from {{ ref('consumption_advances') }} where fuel = 'electricity'
),
reads as (
    select register_key, from_read_at as read_at, from_value as reading_value from chain
    union
    select register_key, to_read_at, to_value from chain
),
closing as (
    select register_key, max(to_read_at) as close_read_at, min(mpxn) as mpxn,
           min(meter_serial) as meter_serial, min(register_id) as register_id
    from chain
    group by register_key
),
opening as (
    select c.register_key, c.mpxn, c.meter_serial, c.register_id, c.close_read_at, max(r.read_at) as open_read_at
    from closing as c
    left join reads as r
        on r.register_key = c.register_key and cast(r.read_at as date) < cast(c.close_read_at as date)
    group by c.register_key, c.mpxn, c.meter_serial, c.register_id, c.close_read_at
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
    where fuel = 'electricity'
),
estimates as (
    select
        {{ estimate_register_key('mpxn', 'serial_number', 'register_id') }} as register_key,
        effective_from,
        effective_to,
        estimation_value
    from {{ source('billing_api_eac_aq', 'estimates') }}
    where fuel = 'E' and estimation_value is not null
),
previous as (
    select
        o.register_key,
        e.estimation_value,
        row_number() over (
            partition by o.register_key
            order by e.effective_from desc, e.estimation_value desc
        ) as pick
    from opening as o
    join estimates as e
        on e.register_key = o.register_key
       and e.effective_from <= o.open_read_at
       and (e.effective_to is null or e.effective_to > o.open_read_at)
),
priced as (
    select
        o.register_key,
        o.mpxn,
        o.meter_serial,
        o.register_id,
        a.gsp_group_id,
        a.ssc_id,
        a.tpr,
        a.profile_class_id,
        o.open_read_at,
        ro.reading_value                                            as open_value,
        o.close_read_at,
        rc.reading_value                                            as close_value,
        cast(o.close_read_at as date) - cast(o.open_read_at as date) as days,
        s.advances,
        s.bad_advances,
        s.consumption,
        c_to.cumulative_ppc - c_from.cumulative_ppc                 as ppc,
        c_to.cumulative_ppc_count - c_from.cumulative_ppc_count     as ppc_days,
        coalesce(p.estimation_value, a.industry_eac_aq)             as previous_eac,
        case
            when p.estimation_value is not null then 'estimate_at_open_read'
            when a.industry_eac_aq is not null then 'register_eac'
        end                                                         as previous_eac_source
    from opening as o
    join span as s on s.register_key = o.register_key
    left join attributes as a on a.register_key = o.register_key and a.pick = 1
    left join reads as ro on ro.register_key = o.register_key and ro.read_at = o.open_read_at
    left join reads as rc on rc.register_key = o.register_key and rc.read_at = o.close_read_at
    left join previous as p on p.register_key = o.register_key and p.pick = 1
    left join {{ ref('eac_cumulative_ppc') }} as c_from
        on c_from.gsp_group_id = a.gsp_group_id and c_from.ssc_id = a.ssc_id and c_from.tpr = a.tpr
       and c_from.profile_class_id = a.profile_class_id and c_from.ppc_date = cast(o.open_read_at as date)
    left join {{ ref('eac_cumulative_ppc') }} as c_to
        on c_to.gsp_group_id = a.gsp_group_id and c_to.ssc_id = a.ssc_id and c_to.tpr = a.tpr
       and c_to.profile_class_id = a.profile_class_id and c_to.ppc_date = cast(o.close_read_at as date)
),
judged as (
    select
        *,
        case
            when gsp_group_id is null or ssc_id is null or tpr is null or profile_class_id is null then 'no_profile_attributes'
            when open_read_at is null then 'no_earlier_read'
            when bad_advances > 0 then 'invalid_advance'
            when ppc_days is null or ppc_days <> days then 'incomplete_coefficients'
            when not ppc > 0 then 'zero_ppc'
            when {{ eac_smoothing_parameter() }} * ppc <= 1 and not coalesce(previous_eac, 0) > 0 then 'no_previous_eac'
        end as eac_issue
    from priced
)
select
    register_key,
    mpxn,
    meter_serial,
    register_id,
    gsp_group_id,
    ssc_id,
    tpr,
    profile_class_id,
    open_read_at,
    open_value,
    close_read_at,
    close_value,
    days,
    advances,
    {{ round6('consumption') }}                                                    as consumption,
    {{ round6('ppc') }}                                                            as ppc,
    ppc_days,
    case when eac_issue is null then {{ round6('consumption / ppc') }} end         as annualised_advance,
    case when eac_issue is null then {{ round6(eac_smoothing_parameter() ~ ' * ppc') }} end as weighting,
    previous_eac,
    previous_eac_source,
    case
        when eac_issue is not null then null
        when {{ eac_smoothing_parameter() }} * ppc > 1 then round(cast(consumption / ppc as numeric(18, 9)), 1)
        else round(cast((consumption / ppc) * ({{ eac_smoothing_parameter() }} * ppc)
                        + previous_eac * (1 - {{ eac_smoothing_parameter() }} * ppc) as numeric(18, 9)), 1)
    end                                                                            as eac,
    eac_issue
from judged
