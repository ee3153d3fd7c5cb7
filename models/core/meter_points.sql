-- One row per meter point (MPxN) from every source: the billing
-- platform's meter points (any account), the MPxNs readings name (D0010
-- included) and those half-hourly files name. fuel: the platform's meter
-- point type where it has one, else 13 digits is an MPAN (electricity) and
-- anything else an MPRN (gas); mpan_check_ok is the MPAN check digit
-- (NULL for gas). Built from readings and the raw tables only.
with billing as (
    select
        cast(meterpointnumber as varchar)                                          as mpxn,
        max({{ fuel_of('cast(meterpointnumber as varchar)', 'meterpointtype') }}) as fuel,
        count(distinct account_id)                                                 as accounts
    from {{ source('billing_api', 'meterpoints') }}
    where meterpointnumber is not null
    group by 1
),
seen as (
    select
        mpxn,
        max(fuel)                                              as fuel,
        sum(case when source = 'd0010' then 1 else 0 end)      as d0010_readings,
        sum(case when source = 'billing' then 1 else 0 end)    as billing_readings
    from {{ ref('readings') }}
    where mpxn is not null
    group by mpxn
),
halfhourly as (
    select mpxn, count(*) as halfhourly_intervals
    from {{ source('raw', 'halfhourly_consumption') }}
    where mpxn is not null
    group by mpxn
),
keys as (
    select mpxn from billing
    union
    select mpxn from seen
    union
    select mpxn from halfhourly
)
select
    k.mpxn,
    coalesce(b.fuel, m.fuel, {{ fuel_of('k.mpxn') }})                 as fuel,
    case when coalesce(b.fuel, m.fuel, {{ fuel_of('k.mpxn') }}) = 'electricity'
         then {{ mpan_check_ok('k.mpxn') }} end                       as mpan_check_ok,
    b.mpxn is not null                                                as in_billing_tree,
    coalesce(b.accounts, 0)                                           as accounts,
    coalesce(m.d0010_readings, 0)                                     as d0010_readings,
    coalesce(m.billing_readings, 0)                                   as billing_readings,
    coalesce(h.halfhourly_intervals, 0)                               as halfhourly_intervals
from keys as k
left join billing as b on b.mpxn = k.mpxn
left join seen as m on m.mpxn = k.mpxn
left join halfhourly as h on h.mpxn = k.mpxn
