{{ config(severity='warn') }}
-- The half-hours listed as missing add up to what each meter-day lacks
-- (its local day's half-hours less the intervals present). They differ
-- only when a file's intervals are off the half-hour grid (the day then
-- has intervals the grid does not name): a warning. Reads the intervals,
-- not daily_consumption, so that in a build this test gates nothing that
-- monthly_consumption's tests wait for.
with present as (
    select mpxn, local_date, count(*) as periods
    from {{ ref('stg_halfhourly_consumption') }}
    group by mpxn, local_date
),
listed as (
    select mpxn, local_date, count(*) as n
    from {{ ref('halfhourly_missing_intervals') }}
    group by mpxn, local_date
)
select p.mpxn, p.local_date,
       {{ expected_half_hours('p.local_date') }} - p.periods as missing_periods,
       coalesce(l.n, 0) as listed
from present as p
left join listed as l
    on coalesce(l.mpxn, '') = coalesce(p.mpxn, '') and l.local_date = p.local_date
where coalesce(l.n, 0) <> greatest({{ expected_half_hours('p.local_date') }} - p.periods, 0)
