-- The Period Profile Coefficient sum of each GSP group, profile class,
-- profile, standard settlement configuration, time pattern regime and
-- settlement day (domain.md §1.5, §5.2): the latest settlement run of the
-- day, and forecast days after it by the same 52-week rule as ref_d18_bpp.
with ranked as (
    select
        *,
        row_number() over (
            partition by settlement_date, gsp_group_id, profile_class_id, profile_id, ssc_id, tpr
            order by run_number desc, load_id desc, line_no desc
        ) as run_rank
    from {{ ref('stg_d0018_ppc') }}
),
latest as (
    select settlement_date, gsp_group_id, profile_class_id, profile_id, ssc_id, tpr,
           settlement_code, run_number, period_count, ppc_sum, registered_periods
    from ranked
    where run_rank = 1
),
-- k = 0 is the real day, k = 1..10 forecasts; the smallest k wins (see
-- ref_d18_bpp).
steps as (
    select k from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) as s (k)
),
projected as (
    select
        l.settlement_date + 364 * s.k   as settlement_date,
        l.gsp_group_id,
        l.profile_class_id,
        l.profile_id,
        l.ssc_id,
        l.tpr,
        l.settlement_code,
        l.run_number,
        l.period_count,
        l.ppc_sum,
        l.registered_periods,
        s.k > 0                         as is_forecast,
        l.settlement_date               as source_date,
        row_number() over (
            partition by l.gsp_group_id, l.profile_class_id, l.profile_id, l.ssc_id, l.tpr, l.settlement_date + 364 * s.k
            order by s.k
        ) as nearest
    from latest as l
    cross join steps as s
    where s.k = 0 or l.settlement_date + 364 * s.k <= {{ as_of_date() }} + 7
)
select
    gsp_group_id || '|' || ssc_id || '|' || cast(tpr as varchar) || '|' || cast(profile_class_id as varchar)
        || '|' || cast(profile_id as varchar) || '|' || cast(settlement_date as varchar) as ppc_key,
    settlement_date, gsp_group_id, profile_class_id, profile_id, ssc_id, tpr, settlement_code,
    run_number, period_count, ppc_sum, registered_periods, is_forecast, source_date
from projected
where nearest = 1
