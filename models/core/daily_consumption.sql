{{ config(materialized='incremental', unique_key=['mpxn', 'local_date'], incremental_strategy='merge', tags=['consumption']) }}
-- Consumption per meter and UK local day from half-hourly data. A local
-- day has 46, 48 or 50 half-hours (clock changes): expected_periods says
-- which, periods how many intervals arrived, missing_periods the gap.
-- Intervals whose value is a meter error code or negative
-- (stg_halfhourly_consumption.kwh_issue) count in error_periods and are
-- not summed into kwh. is_complete: every half-hour present and usable.
--
-- Incremental (merge on mpxn + local_date): a run recomputes only
--   * the meter-days that received intervals from a load newer than any
--     this table has seen (last_load_id; load ids are time-ordered), so a
--     late file for an old day is merged in, and
--   * every meter's last var daily_consumption_lookback_days days, which
--     also covers a load that committed after a newer one.
-- `--full-refresh` rebuilds it from all intervals.
{% if is_incremental() %}
with new_days as (
    select distinct
        coalesce(mpxn, '')                        as mpxn_k,
        {{ uk_local_date('interval_start') }}      as local_date
    from {{ source('raw', 'halfhourly_consumption') }}
    where load_id > (select coalesce(max(last_load_id), '') from {{ this }})
),
bounds as (
    select max(local_date) - {{ var('daily_consumption_lookback_days', 3) }} as lookback_from
    from {{ this }}
),
intervals as (
    select s.*
    from {{ ref('stg_halfhourly_consumption') }} as s
    -- a bound on the instant, so the scan starts at the earliest day to redo
    where s.interval_start >= (
        select min(d) from (
            select {{ uk_day_start('lookback_from') }} as d from bounds
            union all
            select {{ uk_day_start('min(local_date)') }} from new_days
        ) as starts
    )
      and (
        s.local_date >= (select lookback_from from bounds)
        or exists (
            select 1 from new_days as n
            where n.mpxn_k = coalesce(s.mpxn, '') and n.local_date = s.local_date
        )
      )
)
{% else %}
with intervals as (
    select * from {{ ref('stg_halfhourly_consumption') }}
)
{% endif %}
select
    mpxn,
    local_date,
    count(*)                                                          as periods,
    {{ expected_half_hours('local_date') }}                           as expected_periods,
    {{ expected_half_hours('local_date') }} - count(*)                as missing_periods,
    sum(case when kwh_issue is not null then 1 else 0 end)           as error_periods,
    sum(case when kwh_issue = 'error_value' then 1 else 0 end)       as error_value_periods,
    round(cast(coalesce(sum(case when kwh_issue is null then kwh end), 0) as numeric(18, 6)), 3) as kwh,
    count(*) = {{ expected_half_hours('local_date') }}
        and sum(case when kwh_issue is not null then 1 else 0 end) = 0 as is_complete,
    max(load_id)                                                      as last_load_id
from intervals
group by mpxn, local_date
