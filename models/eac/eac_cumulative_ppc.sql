-- Cumulative profile coefficients (the seed system's ref_cumulative_ppc,
-- domain.md §5.2): for every GSP group, SSC, TPR and profile class that an
-- electricity register has, and every day with coefficients (real or
-- forecast):
--   daily_ppc             the day's PPC sum for the register's SSC and TPR
--                         (the lowest profile's when several list it), or,
--                         when the D0018 has no PPC for it, the BPP sum of
--                         the profile class's profile 1 (coefficient_source
--                         says which)
--   cumulative_ppc        Σ daily_ppc of the earlier days (the day itself
--                         excluded), cumulative_ppc_count how many days
-- so Σ PPC over [d1, d2) = cumulative_ppc(d2) - cumulative_ppc(d1), and
-- the window is complete when the counts differ by d2 - d1 days.
with combos as (
    select distinct gsp_group_id, ssc_id, tpr, profile_class_id
    from {{ ref('ref_eac_aq_registers') }}
    where fuel = 'electricity'
      and gsp_group_id is not null and ssc_id is not null and tpr is not null and profile_class_id is not null
),
bpp as (
    select settlement_date, gsp_group_id, profile_class_id, bpp_sum, is_forecast
    from {{ ref('ref_d18_bpp') }}
    where profile_id = 1
),
ppc as (
    select
        settlement_date, gsp_group_id, ssc_id, tpr, profile_class_id, ppc_sum, is_forecast,
        row_number() over (
            partition by settlement_date, gsp_group_id, ssc_id, tpr, profile_class_id
            order by profile_id
        ) as pick
    from {{ ref('ref_d18_ppc') }}
),
days as (
    select c.gsp_group_id, c.ssc_id, c.tpr, c.profile_class_id, b.settlement_date
    from combos as c
    join bpp as b on b.gsp_group_id = c.gsp_group_id and b.profile_class_id = c.profile_class_id
    union
    select c.gsp_group_id, c.ssc_id, c.tpr, c.profile_class_id, p.settlement_date
    from combos as c
    join ppc as p on p.gsp_group_id = c.gsp_group_id and p.ssc_id = c.ssc_id and p.tpr = c.tpr
                 and p.profile_class_id = c.profile_class_id and p.pick = 1
),
daily as (
    select
        d.settlement_date                                   as ppc_date,
        d.gsp_group_id,
        d.ssc_id,
        d.tpr,
        d.profile_class_id,
        coalesce(p.ppc_sum, b.bpp_sum)                      as daily_ppc,
        case when p.ppc_sum is not null then 'ppc' else 'bpp' end as coefficient_source,
        coalesce(p.is_forecast, b.is_forecast)              as is_forecast
    from days as d
    left join ppc as p
        on p.pick = 1 and p.settlement_date = d.settlement_date and p.gsp_group_id = d.gsp_group_id
       and p.ssc_id = d.ssc_id and p.tpr = d.tpr and p.profile_class_id = d.profile_class_id
    left join bpp as b
        on b.settlement_date = d.settlement_date and b.gsp_group_id = d.gsp_group_id
       and b.profile_class_id = d.profile_class_id
)
select
    {{ ppc_coefficient_key('gsp_group_id', 'ssc_id', 'tpr', 'profile_class_id', 'ppc_date') }} as coefficient_key,
    ppc_date,
    gsp_group_id,
    ssc_id,
    tpr,
    profile_class_id,
    daily_ppc,
    coefficient_source,
    is_forecast,
    coalesce(sum(daily_ppc) over (
        partition by gsp_group_id, ssc_id, tpr, profile_class_id
        order by ppc_date rows between unbounded preceding and 1 preceding), 0) as cumulative_ppc,
    count(daily_ppc) over (
        partition by gsp_group_id, ssc_id, tpr, profile_class_id
        order by ppc_date rows between unbounded preceding and 1 preceding)      as cumulative_ppc_count
from daily
