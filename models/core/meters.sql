-- One row per meter from every source, by its canonical key MPxN + meter
-- serial (industry_meter_key): meters of the billing platform's meter
-- point trees, meters that readings name (D0010 included) and meters
-- half-hourly files name (when a file gives both MPxN and serial). Built
-- from readings and the raw tables only (not from ref_* or `registers`),
-- so `cdw run -s readings+` needs nothing else built.
with points as (
    select account_id, meter_point_id,
           max(cast(meterpointnumber as varchar)) as mpxn,
           max(meterpointtype)                    as meterpointtype
    from {{ source('billing_api', 'meterpoints') }}
    group by account_id, meter_point_id
),
billing as (
    select
        {{ industry_meter_key('p.mpxn', 'm.meterserialnumber') }} as industry_meter_key,
        min(p.mpxn)                                              as mpxn,
        min({{ serial_key('m.meterserialnumber') }})             as meter_serial,
        max({{ fuel_of('p.mpxn', 'p.meterpointtype') }})        as fuel,
        count(distinct cast(m.account_id as varchar) || '|' || cast(m.meter_id as varchar)) as billing_meters,
        max(case when m.removeddate is null then 1 else 0 end)   as installed
    from {{ source('billing_api', 'meters') }} as m
    join points as p
        on p.account_id = m.account_id and p.meter_point_id = m.meter_point_id
    where p.mpxn is not null and trim(coalesce(m.meterserialnumber, '')) <> ''
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
