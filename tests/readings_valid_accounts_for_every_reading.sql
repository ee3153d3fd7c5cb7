-- Reconciliation: readings_valid judges every reading and loses none —
-- one row per reading of `readings`, duplicates included (they are
-- flagged, not dropped). Fails with the readings missing from it.
select r.reading_id, 'missing from readings_valid' as problem
from {{ ref('readings') }} as r
left join {{ ref('readings_valid') }} as v
    on v.reading_id = r.reading_id
where v.reading_id is null
union all
select cast(null as varchar), 'row counts differ'
from (select count(*) as n from {{ ref('readings') }}) as a
cross join (select count(*) as n from {{ ref('readings_valid') }}) as b
where a.n <> b.n
