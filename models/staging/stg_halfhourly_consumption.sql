-- Half-hourly consumption with the UK local day each interval belongs to.
-- When the same interval of the same meter was delivered more than once, the
-- most recently loaded copy wins (load ids are time-ordered UUIDv7).
-- kwh_issue flags a value that is no consumption: a meter's error value
-- (var halfhourly_error_values, e.g. 16777.215 = 2^24-1 Wh) or a negative
-- one. Flagged intervals stay, and consumption models do not sum them.
with ranked as (
    select
        mpxn,
        meter_serial,
        interval_start,
        interval_end,
        kwh,
        file_name,
        line_no,
        load_id,
        row_number() over (
            partition by mpxn, interval_start
            order by load_id desc, line_no desc
        ) as delivery_rank
    from {{ source('raw', 'halfhourly_consumption') }}
)
select
    mpxn,
    meter_serial,
    interval_start,
    interval_end,
    {{ uk_local_date('interval_start') }} as local_date,
    kwh,
    {{ halfhourly_kwh_issue('kwh') }} as kwh_issue,
    file_name,
    line_no,
    load_id
from ranked
where delivery_rank = 1
