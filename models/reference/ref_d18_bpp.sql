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
-- k = 0 is the real day; k = 1..10 project it 52·k weeks ahead. For each
-- day the smallest k wins, so a real row always beats a forecast one (one
-- sort, no anti-join: PostgreSQL planned that as a nested loop).
steps as (
    select k from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) as s (k)
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
        s.k > 0                         as is_forecast,
        row_number() over (
            partition by l.gsp_group_id, l.profile_class_id, l.profile_id, l.settlement_date + 364 * s.k
            order by s.k
        ) as nearest
    from latest as l
    cross join steps as s
    where s.k = 0 or l.settlement_date + 364 * s.k <= {{ as_of_date() }} + 7
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
    is_forecast,
    source_date
from projected
where nearest = 1
