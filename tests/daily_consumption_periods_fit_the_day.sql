-- A UK local day has 46, 48 or 50 half-hours, and no day can hold more
-- intervals than it has half-hours.
select *
from {{ ref('daily_consumption') }}
where expected_periods not in (46, 48, 50)
   or periods > expected_periods
