{{ config(materialized='view', tags=['consumption']) }}
-- Every half-hour missing from a meter's day that has some data: one row
-- per absent interval of the days daily_consumption counts as short
-- (missing_periods > 0), with its UTC start and end. Days with no interval
-- at all are counted in monthly_consumption, not listed here. A view: it
-- costs only the incomplete days, whenever it is read.
with slots as (
    {%- for n in range(50) %}
    select {{ n }} as slot{% if not loop.last %} union all{% endif %}
    {%- endfor %}
),
short_days as (
    select mpxn, local_date, expected_periods
    from {{ ref('daily_consumption') }}
    where missing_periods > 0
),
expected as (
    select
        d.mpxn,
        d.local_date,
        s.slot + 1                                                            as period,
        {{ uk_day_start('d.local_date') }} + s.slot * interval '30 minutes'  as interval_start
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
    from {{ ref('stg_halfhourly_consumption') }} as h
    where coalesce(h.mpxn, '') = coalesce(e.mpxn, '')
      and h.interval_start = e.interval_start
)
