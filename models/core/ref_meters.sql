-- One row per meter of each account's meter points, installed or removed
-- (a meter exchange leaves the old meter with its removed date).
-- meter_key is account + meter point + meter; meter_serial is the serial
-- as every source writes it (upper case, no spaces).
with ranked as (
    select
        m.*,
        row_number() over (
            partition by account_id, meter_point_id, meter_id
            order by installeddate desc nulls last, load_id desc
        ) as rn
    from {{ source('billing_api', 'meters') }} as m
)
select
    cast(account_id as varchar) || '|' || cast(meter_point_id as varchar) || '|' || cast(meter_id as varchar) as meter_key,
    cast(account_id as varchar) || '|' || cast(meter_point_id as varchar) as meter_point_key,
    account_id,
    meter_point_id,
    meter_id,
    {{ serial_key('meterserialnumber') }} as meter_serial,
    meterserialnumber                     as meter_serial_as_delivered,
    installeddate                         as installed_date,
    removeddate                           as removed_date,
    removeddate is null                   as is_installed,
    load_id
from ranked
where rn = 1
