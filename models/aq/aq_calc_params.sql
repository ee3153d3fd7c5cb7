-- The parameters that let a newly submitted gas reading get a fresh AQ
-- with a few sums (the seed system's ref_aq_calc_params, domain.md §5.7),
-- one row per in-scope gas register of each account. For a new reading v
-- on day t with an open read on day o: Σ WAALP = cwaalp(t) - cwaalp(o),
-- mean CV = (ccv(t) - ccv(o)) / (cv_count(t) - cv_count(o)), then
-- aq_industry's formula.
--   num_dials          the register's digit count, NULL when unknown
--   imperial           true for an imperial meter (Y), false for a metric
--                      one (N), NULL when the platform does not know (U)
--   first_read_*       the account's first valid reading (lowest value of
--                      its first day)
--   prev_igl_ind_aq    aq_industry's AQ (NULL when it has none: no default
--                      of 0), prev_read_date its close read's day (NULL, not
--                      2000-01-01, when there is none)
--   today_*            the cumulative coefficients of the LDZ on the as-of
--                      date (NULL when the coefficients do not reach it)
with registers as (
    select * from {{ ref('ref_eac_aq_registers') }}
    where fuel = 'gas' and in_scope
),
first_reads as (
    select
        v.account_id,
        v.register_key,
        cast(v.read_at as date)                                         as read_date,
        min(v.reading_value)                                            as reading_value,
        row_number() over (
            partition by v.account_id, v.register_key order by cast(v.read_at as date)
        )                                                               as nth_day
    from {{ ref('readings_valid') }} as v
    where v.is_valid
    group by v.account_id, v.register_key, cast(v.read_at as date)
)
select
    r.register_row_key,
    r.account_id,
    r.meter_point_id,
    r.meter_id,
    r.register_id,
    r.register_key,
    r.mpxn,
    r.meter_serial,
    r.ldz,
    r.digit_count                                                       as num_dials,
    case r.imperial_indicator when 'Y' then true when 'N' then false end as imperial,
    f.read_date                                                         as first_read_date,
    f.reading_value                                                     as first_read_value,
    i.aq                                                                as prev_igl_ind_aq,
    cast(i.close_read_at as date)                                       as prev_read_date,
    i.close_value                                                       as prev_read_value,
    {{ as_of_date() }}                                                  as today,
    c.cwaalp                                                            as today_cwaalp,
    c.waalp_count                                                       as today_waalp_count,
    c.ccv                                                               as today_ccv,
    c.cv_count                                                          as today_cv_count
from registers as r
left join first_reads as f
    on f.account_id = r.account_id and f.register_key = r.register_key and f.nth_day = 1
left join {{ ref('aq_industry') }} as i
    on i.register_key = r.register_key
left join {{ ref('aq_cumulative_alp_cv') }} as c
    on c.ldz = r.ldz and c.coeff_date = {{ as_of_date() }}
