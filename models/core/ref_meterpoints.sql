-- One row per account and meter point the billing platform has ever
-- associated with the account (history included: a change of tenancy or a
-- move leaves the old association with an end date). The same meter point
-- under two accounts is two rows; meter_point_key is account + point.
-- start_date / end_date are when the account was supplied at the point:
-- the later of supply and association start, the earlier of their ends
-- (NULL: open).
with ranked as (
    select
        mp.*,
        row_number() over (
            partition by account_id, meter_point_id
            order by supplystartdate desc nulls last, associationstartdate desc nulls last, load_id desc
        ) as rn
    from {{ source('billing_api', 'meterpoints') }} as mp
)
select
    cast(account_id as varchar) || '|' || cast(meter_point_id as varchar) as meter_point_key,
    account_id,
    meter_point_id,
    cast(meterpointnumber as varchar)   as mpxn,
    meterpointtype                      as fuel,
    associationstartdate                as association_start,
    associationenddate                  as association_end,
    supplystartdate                     as supply_start,
    supplyenddate                       as supply_end,
    case
        when associationstartdate is null or supplystartdate >= associationstartdate then supplystartdate
        else associationstartdate
    end                                 as start_date,
    case
        when supplyenddate is null then associationenddate
        when associationenddate is null or supplyenddate <= associationenddate then supplyenddate
        else associationenddate
    end                                 as end_date,
    issmart                             as is_smart,
    issmartcommunicating                as is_smart_communicating,
    load_id
from ranked
where rn = 1
