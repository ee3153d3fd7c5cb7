{#- UK clock helpers. Half-hourly data is stored as UTC instants; the
    business day is the UK local day (Europe/London), which has 46 half-hours
    when the clocks go forward, 50 when they go back and 48 otherwise. -#}

{% macro uk_local_date(instant) -%}
cast(({{ instant }} at time zone 'Europe/London') as date)
{%- endmacro %}

{% macro uk_day_start(local_date) -%}
(cast({{ local_date }} as timestamp) at time zone 'Europe/London')
{%- endmacro %}

{% macro expected_half_hours(local_date) -%}
cast((extract(epoch from {{ uk_day_start(local_date ~ ' + 1') }}) - extract(epoch from {{ uk_day_start(local_date) }})) / 1800 as integer)
{%- endmacro %}
