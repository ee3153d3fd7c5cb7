-- daily_consumption is keyed by (mpxn, local_date); a second row for a key
-- means the incremental merge multiplied rows.
select mpxn, local_date, count(*) as n
from {{ ref('daily_consumption') }}
group by mpxn, local_date
having count(*) > 1
