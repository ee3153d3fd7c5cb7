-- Cumulative gas coefficients per LDZ (the seed system's
-- ref_cumulative_alp_cv, domain.md §5.5), one row per LDZ and gas day of
-- ref_gas_daily_coefficients:
--   cwaalp, waalp_count  Σ WAALP of the earlier days that have one, and how
--                        many (the day itself excluded)
--   ccv, cv_count        Σ CV of the earlier days that have one, and how many
-- so over [d1, d2): Σ WAALP = cwaalp(d2) - cwaalp(d1), mean CV =
-- (ccv(d2) - ccv(d1)) / (cv_count(d2) - cv_count(d1)), and the window is
-- complete when both counts differ by d2 - d1 days. CVs are true values:
-- nothing is halved. WAALP and CV are exact decimals of 12 places, so the
-- sums are exact.
select
    ldz_day_key,
    ldz,
    gas_day                                                             as coeff_date,
    waalp,
    cv,
    {{ exact('coalesce(sum(waalp) over earlier, 0)') }}                 as cwaalp,
    count(waalp) over earlier                                           as waalp_count,
    {{ exact('coalesce(sum(' ~ exact('cv') ~ ') over earlier, 0)') }}   as ccv,
    count(cv) over earlier                                              as cv_count
from {{ ref('ref_gas_daily_coefficients') }}
window earlier as (partition by ldz order by gas_day rows between unbounded preceding and 1 preceding)
