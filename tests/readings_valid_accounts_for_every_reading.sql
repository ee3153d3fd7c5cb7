-- readings_valid collapses duplicates but must not lose a reading: every
-- reading's (register, time, value) is represented.
select r.reading_id
from {{ ref('readings') }} as r
left join {{ ref('readings_valid') }} as v
    on v.register_key = r.register_key
   and v.read_at = r.read_at
   and v.reading_value = r.reading_value
where v.reading_id is null
