-- Xoserve ALP and DAF per LDZ, end-user category and gas day; when a day
-- was delivered more than once, the latest load wins.
with ranked as (
    select
        ldz,
        end_user_category,
        cast(gas_day as date)   as gas_day,
        alp,
        daf,
        file_name,
        line_no,
        load_id,
        row_number() over (
            partition by ldz, end_user_category, cast(gas_day as date)
            order by load_id desc, line_no desc
        ) as delivery_rank
    from {{ source('reference', 'alp_daf') }}
)
select ldz, end_user_category, gas_day, alp, daf, file_name, line_no, load_id
from ranked
where delivery_rank = 1
