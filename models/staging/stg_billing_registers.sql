{{ config(materialized='ephemeral') }}
-- The billing platform's registers with the industry register_key (MPxN +
-- meter serial + register reference, from the meter and meter point they
-- hang off) and digit_count, the number of dials from the register's
-- No_Of_Digits attribute: an integer 1..10, NULL when absent, unusable or
-- given twice with different values — never a default (domain.md §8.5
-- item 4). One row per account and register of the latest load; read from
-- the raw tables only, so `registers` needs no other model.
with digits as (
    select
        account_id,
        meter_point_id,
        meter_id,
        register_id,
        case
            when min({{ digit_count('registersattributes_attributevalue') }})
               = max({{ digit_count('registersattributes_attributevalue') }})
            then min({{ digit_count('registersattributes_attributevalue') }})
        end as digit_count
    from {{ source('billing_api', 'register_attributes') }}
    where lower(trim(registersattributes_attributename)) = 'no_of_digits'
    group by account_id, meter_point_id, meter_id, register_id
),
ranked as (
    select
        r.*,
        row_number() over (
            partition by account_id, meter_point_id, meter_id, register_id
            order by load_id desc
        ) as rn
    from {{ source('billing_api', 'registers') }} as r
),
meters as (
    select account_id, meter_point_id, meter_id, max(meterserialnumber) as meterserialnumber
    from {{ source('billing_api', 'meters') }}
    group by account_id, meter_point_id, meter_id
),
points as (
    select account_id, meter_point_id,
           max(cast(meterpointnumber as varchar)) as mpxn,
           max(meterpointtype) as meterpointtype
    from {{ source('billing_api', 'meterpoints') }}
    group by account_id, meter_point_id
)
select
    r.account_id,
    r.meter_point_id,
    r.meter_id,
    r.register_id,
    p.mpxn,
    {{ fuel_of('p.mpxn', 'p.meterpointtype') }}                          as fuel,
    {{ serial_key('m.meterserialnumber') }}                               as meter_serial,
    {{ register_ref('r.registers_registerreference') }}                   as register_reference,
    {{ register_key('p.mpxn', 'm.meterserialnumber', 'r.registers_registerreference') }} as register_key,
    d.digit_count
from ranked as r
left join meters as m
    on m.account_id = r.account_id and m.meter_point_id = r.meter_point_id and m.meter_id = r.meter_id
left join points as p
    on p.account_id = r.account_id and p.meter_point_id = r.meter_point_id
left join digits as d
    on d.account_id = r.account_id and d.meter_point_id = r.meter_point_id
   and d.meter_id = r.meter_id and d.register_id = r.register_id
where r.rn = 1
