-- One row per account and fuel with an in-scope register of that fuel
-- (the seed system's ref_consumption_accuracy_elec/_gas and the view that
-- picks one figure, domain.md §5.8): the account's annual consumption by
-- each method, summed over its in-scope registers, and the one to use.
--   pa_cons   Σ of the registers' PA EAC / PA AQ (this account's reads)
--   igl_ind   Σ of the registers' industry-style EAC / AQ (eac_industry,
--             aq_industry)
--   ind       Σ of the industry EAC / AQ the billing platform holds for the
--             registers today (the estimate effective on the as-of date)
-- Each sum is all or nothing: NULL when any in-scope register has no
-- figure above 0 (the seed system wrote 0, which looks like a figure).
-- The choice (ca_source, ca_value) — the rule the seed system's missing
-- get_best_consumption made; here it is:
--   a figure is usable when it is above 0 and at most var
--   consumption_cap_kwh_<fuel> (100,000 kWh electricity, 250,000 gas);
--   1. igl_ind when usable and ind is not usable or they agree within a
--      factor of var consumption_agreement_factor (2): our own reads,
--      smoothed as the industry does, checked against the industry;
--   2. else ind when usable: when our figure is missing or disagrees
--      that much, the industry's settled figure is the safer basis;
--   3. else pa_cons when usable: the account's own reads, unsmoothed;
--   4. else none (NULL ca_source and ca_value).
-- Quotes (the seed system's fourth figure) are not landed, so they never
-- win. igl_ind_vs_ind and pa_cons_vs_ind are x / ind - 1 (NULL when either
-- is missing or 0: no -99 sentinel).
with registers as (
    select * from {{ ref('ref_eac_aq_registers') }}
    where in_scope
),
estimates as (
    select
        {{ estimate_register_key('mpxn', 'serial_number', 'register_id') }} as register_key,
        case fuel when 'E' then 'electricity' when 'G' then 'gas' end     as fuel,
        estimation_value,
        row_number() over (
            partition by {{ estimate_register_key('mpxn', 'serial_number', 'register_id') }}, fuel
            order by effective_from desc, estimation_value desc
        ) as pick
    from {{ source('billing_api_eac_aq', 'estimates') }}
    where estimation_value is not null
      and effective_from <= {{ as_of_date() }}
      and (effective_to is null or effective_to > {{ as_of_date() }})
),
figures as (
    select
        r.account_id,
        r.fuel,
        r.register_key,
        coalesce(pe.pa_eac, pg.pa_aq)       as pa_cons,
        coalesce(ie.eac, ig.aq)             as igl_ind,
        e.estimation_value                  as ind
    from registers as r
    left join {{ ref('eac_pa_annualised') }} as pe
        on r.fuel = 'electricity' and pe.account_id = r.account_id and pe.register_key = r.register_key
    left join {{ ref('aq_pa_annualised') }} as pg
        on r.fuel = 'gas' and pg.account_id = r.account_id and pg.register_key = r.register_key
    left join {{ ref('eac_industry') }} as ie
        on r.fuel = 'electricity' and ie.register_key = r.register_key
    left join {{ ref('aq_industry') }} as ig
        on r.fuel = 'gas' and ig.register_key = r.register_key
    left join estimates as e
        on e.register_key = r.register_key and e.fuel = r.fuel and e.pick = 1
),
accounts as (
    select
        account_id,
        fuel,
        count(*)                                                              as registers,
        case when sum(case when pa_cons > 0 then 1 else 0 end) = count(*) then sum(pa_cons) end as pa_cons,
        case when sum(case when igl_ind > 0 then 1 else 0 end) = count(*) then sum(igl_ind) end as igl_ind,
        case when sum(case when ind > 0 then 1 else 0 end) = count(*) then sum(ind) end         as ind
    from figures
    group by account_id, fuel
),
latest_reads as (
    select account_id, fuel, max(read_at) as reading_datetime
    from {{ ref('readings_valid') }}
    where is_valid and account_id is not null
    group by account_id, fuel
),
judged as (
    select
        a.*,
        l.reading_datetime,
        case a.fuel
            when 'electricity' then {{ var('consumption_cap_kwh_electricity', 100000) }}
            else {{ var('consumption_cap_kwh_gas', 250000) }}
        end as cap
    from accounts as a
    left join latest_reads as l on l.account_id = a.account_id and l.fuel = a.fuel
),
chosen as (
    select
        *,
        case
            when igl_ind > 0 and igl_ind <= cap
             and (not coalesce(ind > 0 and ind <= cap, false)
                  or (igl_ind <= ind * {{ var('consumption_agreement_factor', 2) }}
                      and igl_ind * {{ var('consumption_agreement_factor', 2) }} >= ind)) then 'igl_ind'
            when ind > 0 and ind <= cap then 'ind'
            when pa_cons > 0 and pa_cons <= cap then 'pa_cons'
        end as choice
    from judged
)
select
    cast(account_id as varchar) || '|' || fuel                              as account_fuel_key,
    account_id,
    fuel,
    registers,
    reading_datetime,
    {{ round6('pa_cons') }}                                                 as pa_cons,
    {{ round6('igl_ind') }}                                                 as igl_ind,
    {{ round6('ind') }}                                                     as ind,
    case choice
        when 'igl_ind' then case fuel when 'electricity' then 'igl_ind_eac' else 'igl_ind_aq' end
        when 'ind' then case fuel when 'electricity' then 'ind_eac' else 'ind_aq' end
        when 'pa_cons' then case fuel when 'electricity' then 'pa_cons_elec' else 'pa_cons_gas' end
    end                                                                     as ca_source,
    {{ round6("case choice when 'igl_ind' then igl_ind when 'ind' then ind when 'pa_cons' then pa_cons end") }} as ca_value,
    case when igl_ind > 0 and ind > 0 then {{ round6('igl_ind / ind - 1') }} end as igl_ind_vs_ind,
    case when pa_cons > 0 and ind > 0 then {{ round6('pa_cons / ind - 1') }} end as pa_cons_vs_ind
from chosen
