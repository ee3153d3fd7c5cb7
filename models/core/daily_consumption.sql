{{ config(materialized='incremental', unique_key=['mpxn', 'local_date'], incremental_strategy='merge') }}
-- Consumption per meter and UK local day from half-hourly data. A day has
-- 46, 48 or 50 half-hours (clock changes); missing_periods counts the gaps.
-- Incremental: each run recomputes the last few days (var
-- daily_consumption_lookback_days) so late intervals are merged in.
select
    mpxn,
    local_date,
    count(*)                                   as periods,
    {{ expected_half_hours('local_date') }}     as expected_periods,
    {{ expected_half_hours('local_date') }} - count(*) as missing_periods,
    round(cast(sum(kwh) as numeric(18, 6)), 3) as kwh
from {{ ref('stg_halfhourly_consumption') }}
{% if is_incremental() %}
where local_date >= (
    select max(local_date) - {{ var('daily_consumption_lookback_days', 3) }} from {{ this }}
)
{% endif %}
group by mpxn, local_date
