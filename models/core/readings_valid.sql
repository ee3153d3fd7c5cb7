-- Every distinct reading, with whether it can be used and, if not, why.
-- Nothing is silently filtered: consumers keep `where is_valid`.
--   duplicates  the same register, time and value delivered more than once
--               collapse to one row (the first delivered, a reading the
--               billing platform holds valid before one it does not);
--               duplicate_count says how many
--   negative    a register never shows a negative value
--   implausible more digits than any meter register has (var max_register_value)
--   not_valid_at_source
--               the billing platform marks the reading INVALID or
--               UNVALIDATED (superseded estimates, rejected customer reads)
with ranked as (
    select
        r.*,
        row_number() over (
            partition by register_key, read_at, reading_value
            order by
                case when source = 'billing' and coalesce(source_status, '') <> 'VALID' then 1 else 0 end,
                file_name nulls last, line_no nulls last, reading_id
        ) as delivery_rank,
        count(*) over (
            partition by register_key, read_at, reading_value
        ) as duplicate_count
    from {{ ref('readings') }} as r
),
judged as (
    select
        *,
        case
            when reading_value < 0 then 'negative'
            when reading_value > {{ var('max_register_value') }} then 'implausible'
            when source = 'billing' and coalesce(source_status, '') <> 'VALID' then 'not_valid_at_source'
        end as validity_reason
    from ranked
    where delivery_rank = 1
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
    source_status,
    duplicate_count,
    validity_reason,
    -- one rule: a reading is valid exactly when no reason excludes it
    validity_reason is null as is_valid
from judged
