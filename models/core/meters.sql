-- One row per meter from every source, by its canonical key MPxN + meter
-- serial (industry_meter_key): meters of the billing platform's meter
-- point trees, meters that readings name (D0010 included) and meters
-- half-hourly files name (when a file gives both MPxN and serial). Built
-- from the sources' tables, not from `registers`, so each can be tested
-- against the other.
with billing as (
    select
        {{ industry_meter_key('p.mpxn', 'm.meter_serial') }} as industry_meter_key,
        min(p.mpxn)                                         as mpxn,
        min(m.meter_serial)                                 as meter_serial,
        max({{ fuel_of('p.mpxn', 'p.fuel') }})             as fuel,
        count(*)                                            as billing_meters,
        max(case when m.is_installed then 1 else 0 end)     as installed
    from {{ ref('ref_meters') }} as m
    join {{ ref('ref_meterpoints') }} as p
        on p.meter_point_key = m.meter_point_key
    where p.mpxn is not null and m.meter_serial is not null
    group by 1
),
seen as (
    select
        {{ industry_meter_key('mpxn', 'meter_serial') }}      as industry_meter_key,
        min(mpxn)                                              as mpxn,
        min(meter_serial)                                      as meter_serial,
        max(fuel)                                              as fuel,
        sum(case when source = 'd0010' then 1 else 0 end)      as d0010_readings,
        sum(case when source = 'billing' then 1 else 0 end)    as billing_readings
    from {{ ref('readings') }}
    where mpxn is not null and meter_serial is not null
    group by 1
),
halfhourly as (
    select
        {{ industry_meter_key('mpxn', 'meter_serial') }} as industry_meter_key,
        min(mpxn)                                         as mpxn,
        min({{ serial_key('meter_serial') }})             as meter_serial,
        count(*)                                          as halfhourly_intervals
    from {{ source('raw', 'halfhourly_consumption') }}
    where mpxn is not null and meter_serial is not null and trim(meter_serial) <> ''
    group by 1
),
keys as (
    select industry_meter_key from billing
    union
    select industry_meter_key from seen
    union
    select industry_meter_key from halfhourly
)
select
    k.industry_meter_key,
    coalesce(b.mpxn, r.mpxn, h.mpxn)                                  as mpxn,
    coalesce(b.meter_serial, r.meter_serial, h.meter_serial)          as meter_serial,
    coalesce(b.fuel, r.fuel, {{ fuel_of('coalesce(b.mpxn, r.mpxn, h.mpxn)') }}) as fuel,
    b.industry_meter_key is not null                                  as in_billing_tree,
    coalesce(b.installed = 1, false)                                  as is_installed,
    coalesce(b.billing_meters, 0)                                     as billing_meters,
    coalesce(r.d0010_readings, 0)                                     as d0010_readings,
    coalesce(r.billing_readings, 0)                                   as billing_readings,
    coalesce(h.halfhourly_intervals, 0)                               as halfhourly_intervals
from keys as k
left join billing as b on b.industry_meter_key = k.industry_meter_key
left join seen as r on r.industry_meter_key = k.industry_meter_key
left join halfhourly as h on h.industry_meter_key = k.industry_meter_key
