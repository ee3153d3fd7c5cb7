-- The parameters that let a newly submitted electricity reading get a
-- fresh EAC with a few sums (the seed system's ref_eac_calc_params,
-- domain.md §5.7), one row per in-scope electricity register of each
-- account (ref_eac_aq_registers.in_scope). For a new reading v on day t:
-- ΣPPC = cppc(t) - prev_read_cppc over cppc_count(t) - prev_read_cppc_count
-- days (complete when that is t - prev_read_date), advance = v -
-- prev_read_value (+ 10^num_dials when the register rolled over), then
-- eac_industry's formula with previous EAC prev_igl_ind_eac. Without a
-- previous read, first_read_* play its part.
--   num_dials          the register's digit count; NULL when unknown (no
--                      default of 5: a rollover is never invented)
--   first_read_*       the account's first valid reading of the register
--                      (the lowest value of its first day)
--   prev_read_*        the close read of the register's eac_industry
--   prev_igl_ind_eac   eac_industry's EAC when there is one above 0, else
--                      the industry EAC the platform holds today, else the
--                      register's EAC
--   today_cppc/_count  the cumulative coefficients on the as-of date
with registers as (
    select * from {{ ref('ref_eac_aq_registers') }}
    where fuel = 'electricity' and in_scope
),
first_reads as (
    select
        v.account_id,
        v.register_key,
        cast(v.read_at as date)                                         as read_date,
        min(v.reading_value)                                            as reading_value,
        row_number() over (
            partition by v.account_id, v.register_key order by cast(v.read_at as date)
        )                                                               as nth_day
    from {{ ref('readings_valid') }} as v
    where v.is_valid
    group by v.account_id, v.register_key, cast(v.read_at as date)
),
estimates as (
    {{ estimates_in_force('E') }}
)
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
    r.digit_count                                                       as num_dials,
    {{ eac_smoothing_parameter() }}                                     as smooth_param,
    f.read_date                                                         as first_read_date,
    f.reading_value                                                     as first_read_value,
    cf.cumulative_ppc                                                   as first_read_cppc,
    cf.cumulative_ppc_count                                             as first_read_cppc_count,
    case
        when i.eac > 0 then i.eac
        else coalesce(e.estimation_value, r.industry_eac_aq)
    end                                                                 as prev_igl_ind_eac,
    cast(i.close_read_at as date)                                       as prev_read_date,
    i.close_value                                                       as prev_read_value,
    cp.cumulative_ppc                                                   as prev_read_cppc,
    cp.cumulative_ppc_count                                             as prev_read_cppc_count,
    {{ as_of_date() }}                                                  as today,
    {{ ppc_coefficient_key('r.gsp_group_id', 'r.ssc_id', 'r.tpr', 'r.profile_class_id', as_of_date()) }} as today_coefficient_key,
    ct.cumulative_ppc                                                   as today_cppc,
    ct.cumulative_ppc_count                                             as today_cppc_count
from registers as r
left join first_reads as f
    on f.account_id = r.account_id and f.register_key = r.register_key and f.nth_day = 1
left join {{ ref('eac_industry') }} as i
    on i.register_key = r.register_key
left join estimates as e
    on e.register_key = r.register_key and e.pick = 1
left join {{ ref('eac_cumulative_ppc') }} as cf
    on cf.gsp_group_id = r.gsp_group_id and cf.ssc_id = r.ssc_id and cf.tpr = r.tpr
   and cf.profile_class_id = r.profile_class_id and cf.ppc_date = f.read_date
left join {{ ref('eac_cumulative_ppc') }} as cp
    on cp.gsp_group_id = r.gsp_group_id and cp.ssc_id = r.ssc_id and cp.tpr = r.tpr
   and cp.profile_class_id = r.profile_class_id and cp.ppc_date = cast(i.close_read_at as date)
left join {{ ref('eac_cumulative_ppc') }} as ct
    on ct.gsp_group_id = r.gsp_group_id and ct.ssc_id = r.ssc_id and ct.tpr = r.tpr
   and ct.profile_class_id = r.profile_class_id and ct.ppc_date = {{ as_of_date() }}
