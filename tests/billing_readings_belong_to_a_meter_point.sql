-- Every billing-platform reading belongs to a meter point of its account's
-- tree: the readings and the tree of an account land in one transaction,
-- so a reading without its meter point means the API's answers disagree.
select r.account_id, r.meter_point_id, r.register_reading_id
from {{ source('billing_api', 'meter_readings') }} as r
left join {{ ref('ref_meterpoints') }} as p
    on p.account_id = r.account_id
   and p.meter_point_id = r.meter_point_id
where p.meter_point_id is null
