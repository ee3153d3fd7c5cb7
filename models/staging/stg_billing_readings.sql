{{ config(materialized='ephemeral') }}
-- The billing platform's internal meter readings, named as the rest of the
-- warehouse names them. One row per register reading (register_reading_id
-- within an account); nothing is filtered: superseded estimates and
-- readings the platform marked INVALID stay, with their status.
select
    {{ row_id('billing', 'cast(account_id as varchar)', 'register_reading_id') }} as reading_id,
    account_id,
    meter_point_id,
    meter_id,
    register_id                                 as billing_register_id,
    register_reading_id,
    meter_reading_id,
    cast(meterpointnumber as varchar)           as mpxn,
    meterpointtype                              as meter_point_type,
    {{ fuel_of('cast(meterpointnumber as varchar)', 'meterpointtype') }} as fuel,
    {{ serial_key('meterserialnumber') }}       as meter_serial,
    meterserialnumber                           as meter_serial_as_delivered,
    {{ register_ref('registerreference') }}     as register_id,
    registerreference                           as register_id_as_delivered,
    meterreadingdatetime                        as read_at,
    readingvalue                                as reading_value,
    meterreadingtypeuid                         as reading_type,
    meterreadingsourceuid                       as reading_source,
    meterreadingstatusuid                       as reading_status,
    billable,
    meterreadingcreateddate                     as created_at,
    load_id
from {{ source('billing_api', 'meter_readings') }}
