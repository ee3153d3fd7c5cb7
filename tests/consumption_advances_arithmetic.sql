-- Every advance is its two readings' difference, plus one turn of the
-- dials exactly when the register rolled over; a rollover needs a known
-- digit count (never invented, domain.md §8.5 item 4) and lands within
-- half a turn; days match the read dates; a usable advance is never
-- negative. The seed system's "should always return 0" rollover query,
-- made to fail the build.
select *
from {{ ref('consumption_advances') }}
where (rollover and digit_count is null)
   or abs(advance - (to_value - from_value
          + case when rollover then power(10, digit_count) else 0 end)) > 1e-6
   or (rollover and not (advance >= 0 and advance < power(10, digit_count) / 2))
   or days <> {{ days_between('from_read_at', 'to_read_at') }}
   or (is_valid_advance and (advance < 0 or days < 1))
   or (is_valid_advance <> (advance_issue is null))
