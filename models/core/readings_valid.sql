-- Every distinct reading, with whether it can be used and, if not, why.
-- Nothing is silently filtered: consumers keep `where is_valid`.
--   duplicates  the same register, time and value delivered more than once
--               collapse to one row (the first delivered); duplicate_count says how many
--   negative    a register never shows a negative value
--   implausible more digits than any meter register has (var max_register_value)
with ranked as (
    select
        r.*,
        row_number() over (
            partition by register_key, read_at, reading_value
            order by file_name, line_no
        ) as delivery_rank,
        count(*) over (
            partition by register_key, read_at, reading_value
        ) as duplicate_count
    from {{ ref('readings') }} as r
)
select
    reading_id,
    source,
    mpxn,
    meter_serial,
    register_id,
    register_key,
    read_at,
    reading_value,
    reading_type,
    duplicate_count,
    case
        when reading_value < 0 then 'negative'
        when reading_value > {{ var('max_register_value') }} then 'implausible'
    end                                             as validity_reason,
    reading_value >= 0
        and reading_value <= {{ var('max_register_value') }} as is_valid
from ranked
where delivery_rank = 1
