-- The payment-adequacy annualised consumption of each account's
-- electricity register (the seed system's ref_calculated_eac.igloo_eac,
-- "PA EAC", domain.md §5.3), from the account's valid advances
-- (consumption_advances with is_valid_advance, both readings the
-- account's):
--   an advance is used when its whole window [from date, to date) has
--   profile coefficients (eac_cumulative_ppc counts one per day); one
--   without is left out of both sums and counted in
--   advances_without_coefficients — where the seed system divided by a
--   partial BPP sum instead
--   consumption  Σ advance of the used advances (rollovers already added)
--   ppc          Σ of their profile coefficients
--   pa_eac       consumption / ppc, the kWh a year that consumption implies;
--                NULL (eac_issue says why) when the register has no profile
--                attributes, no advance is used, or ppc is 0
with registers as (
    select
        account_id,
        register_key,
        max(gsp_group_id)       as gsp_group_id,
        max(ssc_id)             as ssc_id,
        max(tpr)                as tpr,
        max(profile_class_id)   as profile_class_id
    from {{ ref('ref_eac_aq_registers') }}
    where fuel = 'electricity'
    group by account_id, register_key
),
advances as (
    select
        a.account_id,
        a.register_key,
        a.mpxn,
        a.meter_serial,
        a.register_id,
        a.from_read_at,
        a.to_read_at,
        a.advance,
        a.days,
        r.gsp_group_id,
        r.ssc_id,
        r.tpr,
        r.profile_class_id,
        c_to.cumulative_ppc - c_from.cumulative_ppc               as ppc,
        c_to.cumulative_ppc_count - c_from.cumulative_ppc_count   as ppc_days
    from {{ ref('consumption_advances') }} as a
    join registers as r
        on r.account_id = a.account_id and r.register_key = a.register_key
    left join {{ ref('eac_cumulative_ppc') }} as c_from
        on c_from.gsp_group_id = r.gsp_group_id and c_from.ssc_id = r.ssc_id and c_from.tpr = r.tpr
       and c_from.profile_class_id = r.profile_class_id and c_from.ppc_date = cast(a.from_read_at as date)
    left join {{ ref('eac_cumulative_ppc') }} as c_to
        on c_to.gsp_group_id = r.gsp_group_id and c_to.ssc_id = r.ssc_id and c_to.tpr = r.tpr
       and c_to.profile_class_id = r.profile_class_id and c_to.ppc_date = cast(a.to_read_at as date)
    where a.fuel = 'electricity'
      and a.is_valid_advance
),
judged as (
    select *, coalesce(ppc_days = days, false) as is_covered
    from advances
),
summed as (
    select
        account_id,
        register_key,
        min(mpxn)                                                       as mpxn,
        min(meter_serial)                                               as meter_serial,
        min(register_id)                                                as register_id,
        min(gsp_group_id)                                               as gsp_group_id,
        min(ssc_id)                                                     as ssc_id,
        min(tpr)                                                        as tpr,
        min(profile_class_id)                                           as profile_class_id,
        min(from_read_at)                                               as first_read_at,
        max(to_read_at)                                                 as last_read_at,
        count(*)                                                        as valid_advances,
        sum(case when is_covered then 1 else 0 end)                     as advances_used,
        sum(case when is_covered then 0 else 1 end)                     as advances_without_coefficients,
        sum(case when is_covered then days else 0 end)                  as days_used,
        sum(case when is_covered then advance end)                      as consumption,
        sum(case when is_covered then ppc end)                          as ppc
    from judged
    group by account_id, register_key
)
select
    cast(account_id as varchar) || '|' || register_key                  as account_register_key,
    account_id,
    register_key,
    mpxn,
    meter_serial,
    register_id,
    gsp_group_id,
    ssc_id,
    tpr,
    profile_class_id,
    first_read_at,
    last_read_at,
    valid_advances,
    advances_used,
    advances_without_coefficients,
    days_used,
    {{ round6('consumption') }}                                         as consumption,
    {{ round6('ppc') }}                                                 as ppc,
    case when ppc > 0 then {{ round6('consumption / ppc') }} end        as pa_eac,
    case
        when gsp_group_id is null or ssc_id is null or tpr is null or profile_class_id is null then 'no_profile_attributes'
        when advances_used = 0 then 'no_coefficients'
        when not ppc > 0 then 'zero_ppc'
    end                                                                 as eac_issue
from summed
