-- Reconciliation: one row per meter and month, whose kWh, periods and
-- days are those of its days in daily_consumption.
with by_month as (
    select
        mpxn,
        cast(date_trunc('month', local_date) as date) as month,
        count(*)      as days_with_data,
        sum(periods)  as periods,
        sum(kwh)      as kwh
    from {{ ref('daily_consumption') }}
    group by 1, 2
),
monthly as (
    select mpxn, month, count(*) over (partition by mpxn, month) as copies,
           days_with_data, periods, kwh
    from {{ ref('monthly_consumption') }}
)
select coalesce(b.mpxn, m.mpxn) as mpxn, coalesce(b.month, m.month) as month,
       b.kwh as daily_kwh, m.kwh as monthly_kwh, m.copies
from by_month as b
full outer join monthly as m
    on coalesce(m.mpxn, '') = coalesce(b.mpxn, '') and m.month = b.month
where b.month is null
   or m.month is null
   or m.copies > 1
   or b.days_with_data <> m.days_with_data
   or b.periods <> m.periods
   or abs(b.kwh - m.kwh) > 0.0005
