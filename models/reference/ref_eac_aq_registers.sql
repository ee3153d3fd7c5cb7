-- One row per register of each account's meter point tree, with what the
-- EAC and AQ calculations need (domain.md §5.1) and whether it is in their
-- scope today (var as_of_date, else the current date):
--   scope_reason  NULL when in scope, else the first of
--                   meter_point_closed  the account's supply at the point ended
--                   meter_removed       the meter was taken out
--                   no_tpr_description  the register has no TPR period
--                                       description (the platform's mark of
--                                       a register not to calculate)
-- Meter point attributes are those effective today (effective from on or
-- before it, effective to on or after it, missing dates open), the largest
-- value when several are (the seed system's pivot rule): GSP group, SSC
-- and profile class for electricity, LDZ and the imperial-meter indicator
-- for gas. Values that are not codes of their kind are NULL, never
-- guessed. digit_count is the register's number of dials (NULL when
-- unknown: no default, domain.md §8.5 item 4).
with attributes as (
    select
        account_id,
        meter_point_id,
        lower(replace(trim(attributes_attributename), ' ', '_')) as name,
        upper(trim(attributes_attributevalue))                    as value
    from {{ source('billing_api_eac_aq', 'meterpoint_attributes') }}
    where coalesce(cast(attributes_effectivefromdate as date), {{ as_of_date() }}) <= {{ as_of_date() }}
      and coalesce(cast(attributes_effectivetodate as date), {{ as_of_date() }}) >= {{ as_of_date() }}
),
attribute_values as (
    select
        account_id,
        meter_point_id,
        max(case when name = 'gsp' then value end)                          as gsp,
        max(case when name = 'ssc' then value end)                          as ssc,
        max(case when name = 'profile_class' then value end)                as pcl,
        max(case when name = 'ldz' then value end)                          as ldz,
        max(case when name = 'gas_imperial_meter_indicator' then value end) as imperial
    from attributes
    group by account_id, meter_point_id
),
registers as (
select
    r.register_row_key,
    r.account_id,
    r.meter_point_id,
    r.meter_id,
    r.register_id,
    r.register_key,
    p.mpxn,
    m.meter_serial,
    {{ fuel_of('p.mpxn', 'p.fuel') }}                                        as fuel,
    case
        when p.end_date is not null and cast(p.end_date as date) <= {{ as_of_date() }} then 'meter_point_closed'
        when m.removed_date is not null and cast(m.removed_date as date) <= {{ as_of_date() }} then 'meter_removed'
        when r.tpr_period_description is null then 'no_tpr_description'
    end                                                                       as scope_reason,
    case
        when a.gsp in ('_A', '_B', '_C', '_D', '_E', '_F', '_G', '_H', '_J', '_K', '_L', '_M', '_N', '_P') then a.gsp
        when '_' || a.gsp in ('_A', '_B', '_C', '_D', '_E', '_F', '_G', '_H', '_J', '_K', '_L', '_M', '_N', '_P') then '_' || a.gsp
    end                                                                       as gsp_group_id,
    case when a.ssc <> '' and length(a.ssc) <= 4 and translate(a.ssc, '0123456789', '') = ''
         then lpad(a.ssc, 4, '0') end                                         as ssc_id,
    case when a.pcl in ('1', '2', '3', '4', '5', '6', '7', '8')
         then cast(a.pcl as integer) end                                      as profile_class_id,
    case when trim(r.tpr) <> '' and length(trim(r.tpr)) <= 5 and translate(trim(r.tpr), '0123456789', '') = ''
         then cast(trim(r.tpr) as bigint) end                                 as tpr,
    case when a.ldz in ('EA', 'EM', 'NE', 'NO', 'NT', 'NW', 'SC', 'SE', 'SO', 'SW', 'WM', 'WN', 'WS')
         then a.ldz end                                                       as ldz,
    case when a.imperial in ('Y', 'N', 'U') then a.imperial end               as imperial_indicator,
    r.digit_count,
    r.eac_aq                                                                  as industry_eac_aq,
    p.start_date                                                              as supply_start,
    p.end_date                                                                as supply_end
from {{ ref('ref_registers') }} as r
join {{ ref('ref_meterpoints') }} as p
    on p.account_id = r.account_id and p.meter_point_id = r.meter_point_id
left join {{ ref('ref_meters') }} as m
    on m.meter_key = r.meter_key
left join attribute_values as a
    on a.account_id = r.account_id and a.meter_point_id = r.meter_point_id
)
select
    *,
    scope_reason is null as in_scope
from registers
