{{ config(materialized='incremental', unique_key=['mpxn', 'month'], incremental_strategy='merge', tags=['consumption']) }}
-- Consumption per meter and calendar month (UK local days) from
-- daily_consumption. expected_periods counts every half-hour of the month
-- (clock changes included: 1,486 in March 2023, 1,490 in October 2023),
-- so days with no interval at all count as missing too. kwh sums the
-- days' usable intervals; error and negative values are never in it.
--
-- Incremental (merge on mpxn + month): a run recomputes the months of the
-- days daily_consumption rewrote from a load newer than any seen here
-- (last_load_id), and the latest month.
{%- set month_start = "cast(date_trunc('month', local_date) as date)" %}
with days as (
    select d.*, {{ month_start }} as month
    from {{ ref('daily_consumption') }} as d
    {% if is_incremental() %}
    where {{ month_start }} >= (select max(month) from {{ this }})
       or {{ month_start }} in (
            select distinct cast(date_trunc('month', local_date) as date)
            from {{ ref('daily_consumption') }}
            where last_load_id > (select coalesce(max(last_load_id), '') from {{ this }})
       )
    {% endif %}
)
select
    mpxn,
    month,
    count(*)                                            as days_with_data,
    cast(extract(day from cast(month + interval '1 month' as date) - interval '1 day') as integer) as days_in_month,
    sum(periods)                                        as periods,
    cast((extract(epoch from {{ uk_day_start("cast(month + interval '1 month' as date)") }})
        - extract(epoch from {{ uk_day_start('month') }})) / 1800 as integer) as expected_periods,
    cast((extract(epoch from {{ uk_day_start("cast(month + interval '1 month' as date)") }})
        - extract(epoch from {{ uk_day_start('month') }})) / 1800 as integer) - sum(periods) as missing_periods,
    sum(error_periods)                                  as error_periods,
    round(cast(sum(kwh) as numeric(18, 6)), 3)         as kwh,
    max(last_load_id)                                   as last_load_id
from days
group by mpxn, month
