-- One row per register reading, from every source, keyed the same way so
-- sources join: MPxN + meter serial + register reference (register_key).
-- Sources today: D0010 flows. The billing platform's readings join here
-- once its extractor lands them.
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
    mpan_check_ok,
    file_name,
    line_no,
    load_id
from {{ ref('stg_d0010_readings') }}
