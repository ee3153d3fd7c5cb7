-- One row per register reading, from every source, keyed the same way so
-- sources join: MPxN + meter serial + register reference (register_key).
-- Sources: D0010 flows ('d0010') and the billing platform's internal meter
-- readings ('billing'). reading_type and source_status are each source's
-- own codes (D0010: J0171 and J0022; billing: meterReadingTypeUID and
-- meterReadingStatusUID); file_name and line_no trace D0010 rows to their
-- file, account_id billing rows to their account.
select
    reading_id,
    'd0010'                                               as source,
    mpxn,
    meter_serial,
    register_id,
    {{ register_key('mpxn', 'meter_serial', 'register_id') }} as register_key,
    read_at,
    reading_value,
    reading_type,
    validation_status                                     as source_status,
    mpan_check_ok,
    cast(null as bigint)                                  as account_id,
    file_name,
    line_no,
    load_id
from {{ ref('stg_d0010_readings') }}
union all
select
    reading_id,
    'billing'                                             as source,
    mpxn,
    meter_serial,
    register_id,
    {{ register_key('mpxn', 'meter_serial', 'register_id') }} as register_key,
    read_at,
    reading_value,
    reading_type,
    reading_status                                        as source_status,
    cast(null as boolean)                                 as mpan_check_ok,
    account_id,
    cast(null as varchar)                                 as file_name,
    cast(null as bigint)                                  as line_no,
    load_id
from {{ ref('stg_billing_readings') }}
