-- The gas coefficients of each LDZ and gas day (domain.md §5.5): the ALP
-- and DAF of the end-user category the AQ uses (var
-- alp_end_user_category_band, the domestic band "01B": an EUC code ending
-- in it), National Grid's WCF and CV — true values, none halved — and the
-- weather-adjusted ALP, WAALP = ALP × (1 + DAF × WCF), as an exact
-- decimal of 12 places. waalp is NULL when
-- any of the three is missing: a day without a WCF is not a day of normal
-- weather, so it is left out of the AQ sums rather than counted as one.
with alp as (
    select
        ldz, gas_day, end_user_category, alp, daf,
        row_number() over (partition by ldz, gas_day order by end_user_category) as pick
    from {{ ref('stg_alp_daf') }}
    where end_user_category like '%' || '{{ var("alp_end_user_category_band", "01B") }}'
),
cv as (
    select ldz, gas_day, value as cv from {{ ref('stg_gas_daily_values') }} where item = 'cv'
),
wcf as (
    select ldz, gas_day, value as wcf from {{ ref('stg_gas_daily_values') }} where item = 'wcf'
),
days as (
    select ldz, gas_day from alp where pick = 1
    union
    select ldz, gas_day from cv
    union
    select ldz, gas_day from wcf
)
select
    d.ldz || '|' || cast(d.gas_day as varchar)  as ldz_day_key,
    d.ldz,
    d.gas_day,
    a.end_user_category,
    a.alp,
    a.daf,
    w.wcf,
    c.cv,
    {{ exact('a.alp * (1 + a.daf * w.wcf)') }}  as waalp
from days as d
left join alp as a on a.ldz = d.ldz and a.gas_day = d.gas_day and a.pick = 1
left join wcf as w on w.ldz = d.ldz and w.gas_day = d.gas_day
left join cv as c on c.ldz = d.ldz and c.gas_day = d.gas_day
