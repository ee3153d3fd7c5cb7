-- One row per register reading, from every source, keyed the same way so
-- sources join: MPxN + meter serial + register reference (register_key).
-- Sources: D0010 flows ('d0010') and the billing platform's internal meter
-- readings ('billing'). reading_type, source_status and reading_source are
-- each source's own codes (D0010: J0171 reading type, J0022 validation
-- status, no reading source; billing: meterReadingTypeUID,
-- meterReadingStatusUID, meterReadingSourceUID); file_name and line_no
-- trace D0010 rows to their file, account_id billing rows to their account.
-- fuel: D0010 is an electricity flow; billing readings carry the meter
-- point type.
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
    load_id,
    'electricity'                                         as fuel,
    cast(null as varchar)                                 as reading_source,
    cast(null as boolean)                                 as billable,
    reading_flag,
    register_id_as_delivered,
    cast(null as bigint)                                  as meter_point_id,
    cast(null as bigint)                                  as billing_register_id
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
    load_id,
    fuel,
    reading_source,
    billable,
    cast(null as varchar)                                 as reading_flag,
    register_id_as_delivered,
    meter_point_id,
    billing_register_id
from {{ ref('stg_billing_readings') }}
