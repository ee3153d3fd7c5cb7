{{ config(materialized='ephemeral') }}
-- D0010 register readings, named as the rest of the warehouse names them.
-- One row per 030 record; nothing is filtered here. Ephemeral: inlined into
-- the models that use it, so `cdw run -s readings+` needs nothing upstream.
select
    {{ row_id('d0010', 'file_name', 'line_no') }} as reading_id,
    mpan_core                                     as mpxn,
    mpan_check_ok,
    {{ serial_key('meter_serial') }}              as meter_serial,
    meter_serial                                  as meter_serial_as_delivered,
    {{ register_ref('register_id') }}             as register_id,
    register_id                                   as register_id_as_delivered,
    read_at,
    reading_value,
    reading_type,
    reading_flag,
    reading_method,
    validation_status,
    flow_file_id,
    file_name,
    line_no,
    load_id
from {{ source('raw', 'd0010_readings') }}
