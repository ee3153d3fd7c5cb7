-- One row per register of each meter, with the industry register_key
-- (MPxN + meter serial + register reference) that readings from every
-- source carry, so billing-platform registers and D0010 readings join.
-- tpr_period_description NULL marks registers the EAC/AQ calculations
-- leave out. digit_count is the register's No_Of_Digits attribute (the
-- number of dials, 1..10; stg_billing_registers); NULL when the platform
-- gives none or an unusable one — never a default (domain.md §8.5 item 4).
with ranked as (
    select
        r.*,
        row_number() over (
            partition by account_id, meter_point_id, meter_id, register_id
            order by load_id desc
        ) as rn
    from {{ source('billing_api', 'registers') }} as r
)
select
    cast(r.account_id as varchar) || '|' || cast(r.meter_point_id as varchar) || '|' || cast(r.meter_id as varchar)
        || '|' || cast(r.register_id as varchar)                 as register_row_key,
    m.meter_key,
    r.account_id,
    r.meter_point_id,
    r.meter_id,
    r.register_id,
    upper(trim(r.registers_registerreference))                    as register_reference,
    {{ register_key('p.mpxn', 'm.meter_serial', 'r.registers_registerreference') }} as register_key,
    r.registers_eacaq                                             as eac_aq,
    r.registers_tpr                                               as tpr,
    r.registers_tprperioddescription                              as tpr_period_description,
    r.registers_sourceidtype                                      as source_id_type,
    r.load_id,
    d.digit_count
from ranked as r
left join {{ ref('ref_meters') }} as m
    on m.account_id = r.account_id and m.meter_point_id = r.meter_point_id and m.meter_id = r.meter_id
left join {{ ref('ref_meterpoints') }} as p
    on p.account_id = r.account_id and p.meter_point_id = r.meter_point_id
left join {{ ref('stg_billing_registers') }} as d
    on d.account_id = r.account_id and d.meter_point_id = r.meter_point_id
   and d.meter_id = r.meter_id and d.register_id = r.register_id
where r.rn = 1
