-- Reconciliation: what the incremental runs merged into daily_consumption
-- equals what the half-hourly intervals give today — periods, error
-- periods and kWh per meter and local day, and no day missing or extra.
-- A late file the incremental logic missed fails here.
with recomputed as (
    select
        mpxn,
        local_date,
        count(*)                                                    as periods,
        sum(case when kwh_issue is not null then 1 else 0 end)     as error_periods,
        round(cast(coalesce(sum(case when kwh_issue is null then kwh end), 0) as numeric(18, 6)), 3) as kwh
    from {{ ref('stg_halfhourly_consumption') }}
    group by mpxn, local_date
)
select coalesce(r.mpxn, d.mpxn) as mpxn, coalesce(r.local_date, d.local_date) as local_date,
       r.periods as interval_periods, d.periods as daily_periods, r.kwh as interval_kwh, d.kwh as daily_kwh
from recomputed as r
full outer join {{ ref('daily_consumption') }} as d
    on coalesce(d.mpxn, '') = coalesce(r.mpxn, '') and d.local_date = r.local_date
where r.local_date is null
   or d.local_date is null
   or r.periods <> d.periods
   or r.error_periods <> d.error_periods
   or r.kwh <> d.kwh
