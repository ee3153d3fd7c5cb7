-- Reconciliation: a register with n valid readings has n - 1 advances,
-- and they chain: each advance starts where the one before it ended.
with valid as (
    select register_key, count(*) as n
    from {{ ref('readings_valid') }}
    where is_valid
    group by register_key
),
advances as (
    select register_key, count(*) as n
    from {{ ref('consumption_advances') }}
    group by register_key
)
select v.register_key, v.n as valid_readings, coalesce(a.n, 0) as advances
from valid as v
left join advances as a on a.register_key = v.register_key
where coalesce(a.n, 0) <> v.n - 1
