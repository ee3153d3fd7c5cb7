{{ config(tags=['readings']) }}
-- The advance of each register between consecutive valid readings
-- (readings_valid where is_valid), one row per pair, oldest first:
--   advance   to_value - from_value, plus 10^digit_count when the register
--             rolled over (rollover): the value went down, the dials are
--             known, and going forward through 0 is the shorter way round
--             the dial (less than half its range, domain.md §4.2)
--   days      whole days between the two read dates
--   is_valid_advance / advance_issue
--             negative_no_digit_count  the value went down on a register
--                                      whose dials are unknown: no rollover
--                                      is invented (domain.md §8.5 item 4)
--             negative_advance         the value went down, the dials are
--                                      known and it is no rollover
--             same_day                 both readings on one date (no days
--                                      to spread the advance over)
-- account_id is the account of the readings when both belong to one
-- account (or only one of them names one); NULL when the advance spans a
-- change of account or neither reading names one (D0010).
with valid as (
    select
        *,
        lag(reading_id)    over w as from_reading_id,
        lag(read_at)       over w as from_read_at,
        lag(reading_value) over w as from_value,
        lag(account_id)    over w as from_account_id,
        lag(source)        over w as from_source
    from {{ ref('readings_valid') }}
    where is_valid
    window w as (partition by register_key order by read_at, reading_id)
),
pairs as (
    select
        register_key,
        mpxn,
        fuel,
        meter_serial,
        register_id,
        case
            when from_account_id is null then account_id
            when account_id is null or account_id = from_account_id then from_account_id
        end                                                         as account_id,
        from_reading_id,
        reading_id                                                  as to_reading_id,
        from_source,
        source                                                      as to_source,
        from_read_at,
        read_at                                                     as to_read_at,
        from_value,
        reading_value                                               as to_value,
        digit_count,
        {{ register_advance('from_value', 'reading_value', 'digit_count') }} as advance,
        {{ days_between('from_read_at', 'read_at') }}                as days,
        {{ is_rollover('from_value', 'reading_value', 'digit_count') }}   as rollover
    from valid
    where from_reading_id is not null
)
select
    register_key,
    mpxn,
    fuel,
    meter_serial,
    register_id,
    account_id,
    from_reading_id,
    to_reading_id,
    from_source,
    to_source,
    from_read_at,
    to_read_at,
    from_value,
    to_value,
    advance,
    days,
    rollover,
    digit_count,
    case
        when advance < 0 and digit_count is null then 'negative_no_digit_count'
        when advance < 0 then 'negative_advance'
        when days < 1 then 'same_day'
    end                                                             as advance_issue,
    advance >= 0 and days >= 1                                      as is_valid_advance
from pairs
