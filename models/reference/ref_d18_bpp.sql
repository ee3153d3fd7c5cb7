-- The Basic Period Profile Coefficient sum of each GSP group, profile
-- class, profile and settlement day (domain.md §1.5, §5.2): the latest
-- settlement run of the day (highest run number; a later delivery of the
-- same run wins), and forecast days after it. A forecast day copies the
-- latest real day of the same weekday 52 weeks (364 days) earlier, 104
-- weeks if that one is missing, and so on, wherever no real row exists
-- for that day, up to a week after today (the seed system's DMRE-792
-- padding, repeated so that coefficients exist up to today however old
-- the last file is). source_date says which real day a row's values are.
with ranked as (
    select
        *,
        row_number() over (
            partition by settlement_date, gsp_group_id, profile_class_id, profile_id
            order by run_number desc, load_id desc, line_no desc
        ) as run_rank
    from {{ ref('stg_d0018_bpp') }}
),
latest as (
    select settlement_date, gsp_group_id, profile_class_id, profile_id,
           settlement_code, run_number, period_count, bpp_sum
    from ranked
    where run_rank = 1
),
steps as (
    select k from (values (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) as s (k)
),
projected as (
    select
        l.gsp_group_id,
        l.profile_class_id,
        l.profile_id,
        l.settlement_date + 364 * s.k   as settlement_date,
        l.settlement_date               as source_date,
        l.settlement_code,
        l.run_number,
        l.period_count,
        l.bpp_sum,
        row_number() over (
            partition by l.gsp_group_id, l.profile_class_id, l.profile_id, l.settlement_date + 364 * s.k
            order by s.k
        ) as nearest
    from latest as l
    cross join steps as s
    where l.settlement_date + 364 * s.k <= {{ as_of_date() }} + 7
),
forecast as (
    select p.*
    from projected as p
    where p.nearest = 1
      and not exists (
        select 1 from latest as r
        where r.gsp_group_id = p.gsp_group_id and r.profile_class_id = p.profile_class_id
          and r.profile_id = p.profile_id and r.settlement_date = p.settlement_date
      )
)
select
    gsp_group_id || '|' || cast(profile_class_id as varchar) || '|' || cast(profile_id as varchar)
        || '|' || cast(settlement_date as varchar)  as bpp_key,
    settlement_date,
    gsp_group_id,
    profile_class_id,
    profile_id,
    settlement_code,
    run_number,
    period_count,
    bpp_sum,
    false                                           as is_forecast,
    settlement_date                                 as source_date
from latest
union all
select
    gsp_group_id || '|' || cast(profile_class_id as varchar) || '|' || cast(profile_id as varchar)
        || '|' || cast(settlement_date as varchar),
    settlement_date,
    gsp_group_id,
    profile_class_id,
    profile_id,
    settlement_code,
    run_number,
    period_count,
    bpp_sum,
    true,
    source_date
from forecast
