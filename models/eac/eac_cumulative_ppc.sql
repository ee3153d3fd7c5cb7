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
--                         excluded), cumulative_ppc_count how many days;
--                         daily_ppc is an exact decimal of 12 places, so the
--                         sums are exact
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
-- Each day's PPC and BPP side by side: equi-joins and one grouping, which
-- every engine plans well.
coefficients as (
    select c.gsp_group_id, c.ssc_id, c.tpr, c.profile_class_id, p.settlement_date,
           p.ppc_sum, cast(null as double precision) as bpp_sum, p.is_forecast
    from combos as c
    join ppc as p
        on p.gsp_group_id = c.gsp_group_id and p.ssc_id = c.ssc_id and p.tpr = c.tpr
       and p.profile_class_id = c.profile_class_id and p.pick = 1
    union all
    select c.gsp_group_id, c.ssc_id, c.tpr, c.profile_class_id, b.settlement_date,
           cast(null as double precision), b.bpp_sum, b.is_forecast
    from combos as c
    join bpp as b
        on b.gsp_group_id = c.gsp_group_id and b.profile_class_id = c.profile_class_id
),
paired as (
    select
        gsp_group_id, ssc_id, tpr, profile_class_id, settlement_date,
        max(ppc_sum)                                                        as ppc_sum,
        max(bpp_sum)                                                        as bpp_sum,
        max(case when ppc_sum is not null then case when is_forecast then 1 else 0 end end) as ppc_forecast,
        max(case when bpp_sum is not null then case when is_forecast then 1 else 0 end end) as bpp_forecast
    from coefficients
    group by gsp_group_id, ssc_id, tpr, profile_class_id, settlement_date
),
daily as (
    select
        settlement_date                                                     as ppc_date,
        gsp_group_id,
        ssc_id,
        tpr,
        profile_class_id,
        {{ exact('coalesce(ppc_sum, bpp_sum)') }}                           as daily_ppc,
        case when ppc_sum is not null then 'ppc' else 'bpp' end             as coefficient_source,
        coalesce(ppc_forecast, bpp_forecast) = 1                            as is_forecast
    from paired
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
    {{ exact('coalesce(sum(daily_ppc) over (
        partition by gsp_group_id, ssc_id, tpr, profile_class_id
        order by ppc_date rows between unbounded preceding and 1 preceding), 0)') }} as cumulative_ppc,
    count(daily_ppc) over (
        partition by gsp_group_id, ssc_id, tpr, profile_class_id
        order by ppc_date rows between unbounded preceding and 1 preceding)      as cumulative_ppc_count
from daily
