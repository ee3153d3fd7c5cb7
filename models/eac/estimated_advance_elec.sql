{{ config(tags=['readings']) }}
-- The plausibility thresholds of a new electricity reading (the seed
-- system's ref_estimated_advance_elec, domain.md §4.4): one row per
-- in-scope electricity register of each account (ref_eac_aq_registers),
-- with the advance its consumption implies since its last valid reading
-- and the band a newly submitted reading's advance should fall in.
--   last_read_*           the register's latest valid reading on or before
--                         the as-of date (readings_valid), whichever account
--                         or source read it: the meter's last known state
--   days_since_last_read  as-of date - the last read's date
--   eac                   eac_industry's EAC (igl_ind_eac) when above 0,
--                         else the industry EAC in force today (billing
--                         estimates), else the register's EAC
--                         (eac_source says which)
--   mean_daily_ppc        (cumulative_ppc(today) - cumulative_ppc(last read
--                         date)) / the days with coefficients between them
--                         (eac_cumulative_ppc: PPC, BPP fallback, real and
--                         forecast days)
--   estimated_advance     eac × mean_daily_ppc × days_since_last_read
--                         (estimate_method ppc); when there is no mean (no
--                         profile attributes, no coefficients, or 0 days),
--                         eac × days_since_last_read / 365 in decimals
--                         (days_over_365) — the seed system divided the
--                         integers, which gave 0 (domain.md §8.5 item 8)
--   lower/upper_threshold tol_min% / tol_max% × estimated_advance, from the
--                         plausibility_tolerances row industry_tolerance_elec
--                         / 4 / ind_elec in force on the as-of date
--   register_num_digits   the register's dials, 5 when unknown (the
--                         plausibility check's default only)
with registers as (
    select * from {{ ref('ref_eac_aq_registers') }}
    where fuel = 'electricity' and in_scope
),
last_reads as (
    {{ last_valid_reads() }}
),
estimates as (
    {{ estimates_in_force('E') }}
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
        r.gsp_group_id,
        r.ssc_id,
        r.tpr,
        r.profile_class_id,
        r.digit_count,
        l.read_at                                                       as last_read_at,
        cast(l.read_at as date)                                         as last_read_date,
        l.reading_value                                                 as last_read_value,
        {{ as_of_date() }} - cast(l.read_at as date)                    as days_since_last_read,
        i.eac                                                           as igl_ind_eac,
        coalesce(e.estimation_value, r.industry_eac_aq)                 as industry_eac,
        case
            when i.eac > 0 then i.eac
            else coalesce(e.estimation_value, r.industry_eac_aq)
        end                                                             as eac,
        case
            when i.eac > 0 then 'igl_ind_eac'
            when e.estimation_value is not null then 'industry_estimate'
            when r.industry_eac_aq is not null then 'register_eac'
        end                                                             as eac_source,
        ct.cumulative_ppc_count - cf.cumulative_ppc_count               as ppc_days,
        (ct.cumulative_ppc - cf.cumulative_ppc)
            / nullif(ct.cumulative_ppc_count - cf.cumulative_ppc_count, 0) as mean_daily_ppc
    from registers as r
    left join last_reads as l
        on l.register_key = r.register_key and l.pick = 1
    left join {{ ref('eac_industry') }} as i
        on i.register_key = r.register_key
    left join estimates as e
        on e.register_key = r.register_key and e.pick = 1
    left join {{ ref('eac_cumulative_ppc') }} as cf
        on cf.gsp_group_id = r.gsp_group_id and cf.ssc_id = r.ssc_id and cf.tpr = r.tpr
       and cf.profile_class_id = r.profile_class_id and cf.ppc_date = cast(l.read_at as date)
    left join {{ ref('eac_cumulative_ppc') }} as ct
        on ct.gsp_group_id = r.gsp_group_id and ct.ssc_id = r.ssc_id and ct.tpr = r.tpr
       and ct.profile_class_id = r.profile_class_id and ct.ppc_date = {{ as_of_date() }}
),
estimated as (
    select
        *,
        case
            when last_read_at is null or eac is null then null
            when mean_daily_ppc is not null then 'ppc'
            else 'days_over_365'
        end                                                             as estimate_method,
        case
            when last_read_at is null or eac is null then null
            when mean_daily_ppc is not null then eac * mean_daily_ppc * days_since_last_read
            else eac * cast(days_since_last_read as numeric(18, 6)) / 365
        end                                                             as advance
    from figures
),
tolerances as (
    select
        x.register_row_key,
        t.tol_min,
        t.tol_max,
        row_number() over (
            partition by x.register_row_key
            order by t.effective_from desc, t.lookup_range_min desc nulls last
        ) as pick
    from estimated as x
    join {{ ref('plausibility_tolerances') }} as t
        on {{ tolerance_applies('t', 'industry_tolerance_elec', 4, 'ind_elec', 'x.eac') }}
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
    x.gsp_group_id,
    x.ssc_id,
    x.tpr,
    x.profile_class_id,
    coalesce(x.digit_count, {{ estimated_advance_default_digits() }})   as register_num_digits,
    x.digit_count is null                                               as register_num_digits_defaulted,
    x.last_read_at,
    x.last_read_date,
    x.last_read_value,
    {{ as_of_date() }}                                                  as today,
    x.days_since_last_read,
    x.igl_ind_eac,
    x.industry_eac,
    x.eac,
    x.eac_source,
    x.ppc_days,
    {{ round6('x.mean_daily_ppc') }}                                    as mean_daily_ppc,
    x.estimate_method,
    {{ round6('x.advance') }}                                           as estimated_advance,
    t.tol_min,
    t.tol_max,
    {{ round6('x.advance * t.tol_min / 100') }}                         as lower_threshold,
    {{ round6('x.advance * t.tol_max / 100') }}                         as upper_threshold,
    case
        when x.last_read_at is null then 'no_valid_read'
        when x.eac is null then 'no_eac'
        when t.tol_min is null then 'no_tolerance'
    end                                                                 as advance_issue
from estimated as x
left join tolerances as t
    on t.register_row_key = x.register_row_key and t.pick = 1
