{#- The half-hourly intervals as every consumption model sees them, from
    the raw table `raw` (pass source('raw', 'halfhourly_consumption'), or a
    parenthesized subquery of its rows):
    one row per meter and interval start, the most recently loaded copy
    winning (load ids are time-ordered UUIDv7), with its UK local day and
    kwh_issue (halfhourly_kwh_issue). `where`, when given, filters the raw
    rows (alias h) before copies are ranked; it must keep or drop all copies
    of an interval together (filter on mpxn and interval_start only), so an
    incremental model reads just the days it redoes. -#}
{% macro halfhourly_intervals(raw, where=none) -%}
with ranked as (
    select
        h.mpxn,
        h.meter_serial,
        h.interval_start,
        h.interval_end,
        h.kwh,
        h.file_name,
        h.line_no,
        h.load_id,
        row_number() over (
            partition by h.mpxn, h.interval_start
            order by h.load_id desc, h.line_no desc
        ) as delivery_rank
    from {{ raw }} as h
    {%- if where %}
    where {{ where }}
    {%- endif %}
)
select
    mpxn,
    meter_serial,
    interval_start,
    interval_end,
    {{ uk_local_date('interval_start') }} as local_date,
    kwh,
    {{ halfhourly_kwh_issue('kwh') }} as kwh_issue,
    file_name,
    line_no,
    load_id
from ranked
where delivery_rank = 1
{%- endmacro %}
