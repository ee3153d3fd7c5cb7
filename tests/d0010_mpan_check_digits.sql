{{ config(severity='warn') }}
-- MPAN cores whose check digit is wrong: kept and flagged, never dropped.
select mpxn, file_name, line_no
from {{ ref('readings') }}
where source = 'd0010' and not mpan_check_ok
