{#- Reading rules shared by readings_valid and consumption_advances
    (domain.md §4.1, §4.2). -#}

{#- A quoted SQL list from a list var: ('A', 'B'). An empty list gives
    (NULL), which matches nothing. -#}
{% macro sql_list(values) -%}
({% for v in values %}'{{ v }}'{% if not loop.last %}, {% endif %}{% else %}null{% endfor %})
{%- endmacro %}

{#- The number of dials of a register from the billing platform's
    No_Of_Digits attribute: an integer 1..10 (leading zeros and spaces
    allowed), otherwise NULL. Anything else (0, "", "five", 12) is not a
    digit count, and NULL never invents one. -#}
{% macro digit_count(value) -%}
(case
    when coalesce(nullif(ltrim(trim({{ value }}), '0'), ''), 'x') in ('1', '2', '3', '4', '5', '6', '7', '8', '9', '10')
        then cast(ltrim(trim({{ value }}), '0') as integer)
end)
{%- endmacro %}

{#- Whether the step from reading prev to reading cur on a register with
    digits dials wrapped through 10^digits - 1 to 0 (§4.2): cur is below
    prev, the digit count is known, both values fit the dials, and going
    forward round the dial (cur + 10^digits - prev) is the shorter way, i.e.
    less than half the dial range. With no digit count it is never a
    rollover. -#}
{% macro is_rollover(prev, cur, digits) -%}
(coalesce(
    {{ cur }} < {{ prev }}
    and {{ digits }} is not null
    and {{ prev }} < power(10, {{ digits }})
    and {{ cur }} >= 0
    and {{ cur }} + power(10, {{ digits }}) - {{ prev }} < power(10, {{ digits }}) / 2,
  false))
{%- endmacro %}

{#- The advance from prev to cur: cur - prev, plus 10^digits when the
    register rolled over (is_rollover). Otherwise a decrease stays a
    negative advance. -#}
{% macro register_advance(prev, cur, digits) -%}
(case
    when {{ is_rollover(prev, cur, digits) }} then {{ cur }} + power(10, {{ digits }}) - {{ prev }}
    else {{ cur }} - {{ prev }}
end)
{%- endmacro %}

{#- Whole days between two read times, by calendar date: a read on
    1 March and one on 31 March are 30 days apart whatever their times. -#}
{% macro days_between(from_ts, to_ts) -%}
(cast({{ to_ts }} as date) - cast({{ from_ts }} as date))
{%- endmacro %}

{#- Why a half-hourly kWh value is no consumption, or NULL when it is one:
    error_value when it is one of var halfhourly_error_values (to within
    half a Wh: the values are all-ones counters, 2^24-1 Wh = 16777.215 kWh
    and the like), negative when below zero. -#}
{% macro halfhourly_kwh_issue(kwh) -%}
(case
    {%- for v in var('halfhourly_error_values', [16777.215, 4294967.295, 2147483.647]) %}
    when abs({{ kwh }} - {{ v }}) < 0.0005 then 'error_value'
    {%- endfor %}
    when {{ kwh }} < 0 then 'negative'
end)
{%- endmacro %}
