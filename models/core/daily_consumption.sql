{{ config(materialized='incremental', unique_key=['mpxn', 'local_date'], incremental_strategy='merge', tags=['consumption']) }}
-- Consumption per meter and UK local day from half-hourly data. A local
-- day has 46, 48 or 50 half-hours (clock changes): expected_periods says
-- which, periods how many intervals arrived, missing_periods the gap.
-- Intervals whose value is a meter error code or negative (kwh_issue, as
-- in stg_halfhourly_consumption: macros/halfhourly.sql) count in
-- error_periods and are not summed into kwh. is_complete: every half-hour
-- present and usable. It reads the raw table through the same macro as
-- the staging view, so an incremental run ranks only the days it redoes.
--
-- Incremental (merge on mpxn + local_date): a run recomputes only
--   * the meter-days that received intervals from a load newer than any
--     this table has seen (last_load_id; load ids are time-ordered), so a
--     late file for an old day is merged in, and
--   * every meter's last var daily_consumption_lookback_days days, which
--     also covers a load that committed after a newer one.
-- `--full-refresh` rebuilds it from all intervals.
{%- set raw = source('raw', 'halfhourly_consumption') %}
{% if is_incremental() %}
with new_local_days as (
    select distinct
        coalesce(mpxn, '')                        as mpxn_k,
        {{ uk_local_date('interval_start') }}      as local_date
    from {{ raw }}
    where load_id > (select coalesce(max(last_load_id), '') from {{ this }})
),
-- each as the instants it spans, so raw rows are matched without
-- converting every row's time zone
new_days as (
    select mpxn_k, {{ uk_day_start('local_date') }} as day_start, {{ uk_day_start('local_date + 1') }} as day_end
    from new_local_days
),
bounds as (
    select {{ uk_day_start('max(local_date) - ' ~ var('daily_consumption_lookback_days', 3)) }} as lookback_start
    from {{ this }}
),
-- the raw rows of the days to redo: the lookback window, plus the new
-- loads' days before it (two plain scans, not an OR per row)
{%- set redo %}(
        select r.* from {{ raw }} as r
        where r.interval_start >= (select lookback_start from bounds)
        union all
        select r.* from {{ raw }} as r
        {%- if target.type == 'duckdb' %}
        -- DuckDB hash-joins this; a row matches one new day at most (days
        -- do not overlap)
        join new_days as n
          on n.mpxn_k = coalesce(r.mpxn, '')
         and r.interval_start >= n.day_start
         and r.interval_start < n.day_end
        {%- endif %}
        where (r.interval_start < (select lookback_start from bounds)
               or (select lookback_start from bounds) is null)
          and r.interval_start >= (select min(day_start) from new_days)
        {%- if target.type != 'duckdb' %}
          -- PostgreSQL and Redshift plan this as a hash semi-join (a join
          -- here becomes a merge join over every raw row)
          and exists (
            select 1 from new_days as n
            where n.mpxn_k = coalesce(r.mpxn, '')
              and r.interval_start >= n.day_start
              and r.interval_start < n.day_end
          )
        {%- endif %}
    ){% endset %}
intervals as (
    {{ halfhourly_intervals(redo) | indent(4) }}
)
{% else %}
with intervals as (
    {{ halfhourly_intervals(raw) | indent(4) }}
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
