-- One row per register from every source, by its canonical register_key
-- (MPxN + meter serial + register reference): the registers of the billing
-- platform's meter point trees and every register a reading names (D0010
-- flows included). digit_count is the number of dials from the billing
-- platform's No_Of_Digits attribute; when accounts disagree, or no source
-- says, it is NULL (digit_count_conflict says which) — never a default.
with tree as (
    select
        register_key,
        min(mpxn)                    as mpxn,
        min(meter_serial)            as meter_serial,
        min(register_reference)      as register_id,
        max(fuel)                    as tree_fuel,
        min(digit_count)             as min_digits,
        max(digit_count)             as max_digits,
        count(*)                     as billing_registers
    from {{ ref('stg_billing_registers') }}
    where register_key is not null
    group by register_key
),
seen as (
    select
        register_key,
        min(mpxn)                                               as mpxn,
        min(meter_serial)                                       as meter_serial,
        min(register_id)                                        as register_id,
        max(fuel)                                               as read_fuel,
        sum(case when source = 'd0010' then 1 else 0 end)       as d0010_readings,
        sum(case when source = 'billing' then 1 else 0 end)     as billing_readings,
        min(read_at)                                            as first_read_at,
        max(read_at)                                            as last_read_at
    from {{ ref('readings') }}
    where register_key is not null
    group by register_key
),
keys as (
    select register_key from tree
    union
    select register_key from seen
)
select
    k.register_key,
    coalesce(t.mpxn, rd.mpxn)                                   as mpxn,
    coalesce(t.meter_serial, rd.meter_serial)                   as meter_serial,
    coalesce(t.register_id, rd.register_id)                     as register_id,
    {{ industry_meter_key('coalesce(t.mpxn, rd.mpxn)', 'coalesce(t.meter_serial, rd.meter_serial)') }} as industry_meter_key,
    coalesce(t.tree_fuel, rd.read_fuel, {{ fuel_of('coalesce(t.mpxn, rd.mpxn)') }}) as fuel,
    case when t.min_digits = t.max_digits then t.min_digits end  as digit_count,
    coalesce(t.min_digits <> t.max_digits, false)                as digit_count_conflict,
    t.register_key is not null                                   as in_billing_tree,
    coalesce(t.billing_registers, 0)                             as billing_registers,
    coalesce(rd.d0010_readings, 0)                               as d0010_readings,
    coalesce(rd.billing_readings, 0)                             as billing_readings,
    rd.first_read_at,
    rd.last_read_at
from keys as k
left join tree as t on t.register_key = k.register_key
left join seen as rd on rd.register_key = k.register_key
