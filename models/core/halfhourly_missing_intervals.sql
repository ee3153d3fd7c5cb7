{{ config(materialized='view', tags=['consumption']) }}
-- Every half-hour missing from a meter's day that has some data: one row
-- per absent interval of the days daily_consumption counts as short
-- (missing_periods > 0), with its UTC start and end. Days with no interval
-- at all are counted in monthly_consumption, not listed here. A view that
-- reads only the short days' raw intervals, whenever it is read.
with slots as (
    {%- for n in range(50) %}
    select {{ n }} as slot{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),
short_days as (
    select
        mpxn,
        local_date,
        expected_periods,
        {{ uk_day_start('local_date') }}       as day_start,
        {{ uk_day_start('local_date + 1') }}   as day_end
    from {{ ref('daily_consumption') }}
    where missing_periods > 0
),
present as (
    {{ halfhourly_intervals(source('raw', 'halfhourly_consumption'),
        "exists (
            select 1 from short_days as d
            where coalesce(d.mpxn, '') = coalesce(h.mpxn, '')
              and h.interval_start >= d.day_start
              and h.interval_start < d.day_end
        )") | indent(4) }}
),
expected as (
    select
        d.mpxn,
        d.local_date,
        s.slot + 1                                        as period,
        d.day_start + s.slot * interval '30 minutes'      as interval_start
    from short_days as d
    join slots as s on s.slot < d.expected_periods
)
select
    e.mpxn,
    e.local_date,
    e.period,
    e.interval_start,
    e.interval_start + interval '30 minutes' as interval_end
from expected as e
where not exists (
    select 1
    from present as h
    where coalesce(h.mpxn, '') = coalesce(e.mpxn, '')
      and h.interval_start = e.interval_start
)
