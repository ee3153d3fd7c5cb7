-- National Grid's daily calorific value (CV, MJ/m³) and allocated weather
-- correction factor (WCF) per LDZ and gas day: one row per LDZ, item and
-- day. Values are true values (the extractor halved what the seed
-- system's extract doubled; nothing here halves anything). When a day was
-- delivered more than once, an export's value wins over a legacy file's,
-- then the latest generated, then the latest published, then the latest
-- load. Items for places that are not LDZs (Campbeltown) and other data
-- items are left out.
with ranked as (
    select
        item,
        area                                as ldz,
        cast(applicable_for as date)        as gas_day,
        value,
        doubled_at_source,
        file_name,
        line_no,
        load_id,
        row_number() over (
            partition by item, area, cast(applicable_for as date)
            order by case when doubled_at_source then 1 else 0 end,
                     generated_at desc nulls last, applicable_at desc nulls last, load_id desc, line_no desc
        ) as delivery_rank
    from {{ source('reference', 'nationalgrid_data_items') }}
    where item in ('calorific_value', 'weather_correction_factor')
      and area in ('EA', 'EM', 'NE', 'NO', 'NT', 'NW', 'SC', 'SE', 'SO', 'SW', 'WM', 'WN', 'WS')
)
select
    case item when 'calorific_value' then 'cv' else 'wcf' end as item,
    ldz,
    gas_day,
    value,
    doubled_at_source,
    file_name,
    line_no,
    load_id
from ranked
where delivery_rank = 1
