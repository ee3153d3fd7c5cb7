{#- Helpers of the reference-data, EAC and AQ models (domain.md §5). -#}

{#- The sum of a D0018 record's 50 half-hour slots <prefix>_01..<prefix>_50,
    an empty slot counting 0 (the seed system's bpp_sum / ppc_sum). -#}
{% macro slot_sum(prefix, slots=50) -%}
({% for i in range(1, slots + 1) %}coalesce({{ prefix }}_{{ "%02d" | format(i) }}, 0){% if not loop.last %} + {% endif %}{% endfor %})
{%- endmacro %}

{#- The date the models take as today: var as_of_date when set (the demo
    sets the sample data's date), else the current date. -#}
{% macro as_of_date() -%}
{%- if var('as_of_date', none) is not none -%}
cast('{{ var("as_of_date") }}' as date)
{%- else -%}
current_date
{%- endif -%}
{%- endmacro %}

{#- A figure rounded to 6 decimal places as an exact decimal, so results
    compare equal on every engine (floating-point sums differ in the last
    bits between DuckDB and PostgreSQL). -#}
{% macro round6(expr) -%}
round(cast({{ expr }} as numeric(18, 9)), 6)
{%- endmacro %}

{#- A coefficient as an exact decimal of 12 places. D0018 coefficients
    have at most 8 places and the WAALP of 6-place ALPs and DAFs and
    2-place WCFs at most 14, so a day's value loses nothing that matters,
    and running sums of such decimals are exact, so they are the same on
    every engine whatever order a window adds them in. -#}
{% macro exact(expr) -%}
round(cast({{ expr }} as numeric(30, 15)), 12)
{%- endmacro %}

{#- The register key of a billing-platform estimate (MPxN + serial +
    register reference), as readings carry it. -#}
{% macro estimate_register_key(mpxn, serial, register) -%}
{{ register_key('cast(' ~ mpxn ~ ' as varchar)', serial, register) }}
{%- endmacro %}

{#- Constants of the EAC and AQ formulas (domain.md §5.9), each a var with
    its default here, so the models render in projects that do not set
    them. -#}
{% macro eac_smoothing_parameter() -%}{{ var('eac_smoothing_parameter', 2) }}{%- endmacro %}
{% macro gas_volume_correction_factor() -%}{{ var('gas_volume_correction_factor', 1.02264) }}{%- endmacro %}
{% macro mj_per_kwh() -%}{{ var('mj_per_kwh', 3.6) }}{%- endmacro %}
{% macro imperial_factor() -%}{{ var('gas_imperial_factor', 2.83) }}{%- endmacro %}

{#- The cubic metres in one unit of a gas meter by its imperial indicator:
    Y (hundreds of cubic feet) 2.83, N (cubic metres) 1; anything else,
    U or missing, NULL — the AQ is then not calculated rather than guessed
    (domain.md §8.5 item 9). -#}
{% macro gas_units_factor(indicator) -%}
cast(case {{ indicator }} when 'Y' then {{ imperial_factor() }} when 'N' then 1 end as double precision)
{%- endmacro %}

{#- The key of a row of eac_cumulative_ppc: GSP group | SSC | TPR | profile
    class | date. -#}
{% macro ppc_coefficient_key(gsp, ssc, tpr, pcl, day) -%}
({{ gsp }} || '|' || {{ ssc }} || '|' || cast({{ tpr }} as varchar) || '|' || cast({{ pcl }} as varchar) || '|' || cast({{ day }} as varchar))
{%- endmacro %}

{#- Generic test: values of column_name outside [min_value, max_value]
    fail (NULLs pass). The range checks of domain.md §6.2: CV 35-45 after
    correction, 1-10 dials, daily PPC 0-0.02, EAC/AQ under a sanity cap. -#}
{% test within_range(model, column_name, min_value, max_value) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}

{#- The industry estimates (billing platform) of fuel 'E' or 'G' in force on
    the as-of date, per register, the latest first (pick = 1): the
    calc-params and estimated-advance models' fallback figure. -#}
{% macro estimates_in_force(fuel) -%}
select
        {{ estimate_register_key('mpxn', 'serial_number', 'register_id') }} as register_key,
        estimation_value,
        row_number() over (
            partition by {{ estimate_register_key('mpxn', 'serial_number', 'register_id') }}
            order by effective_from desc, estimation_value desc
        ) as pick
    from {{ source('billing_api_eac_aq', 'estimates') }}
    where fuel = '{{ fuel }}' and estimation_value is not null
      and effective_from <= {{ as_of_date() }}
      and (effective_to is null or effective_to > {{ as_of_date() }})
{%- endmacro %}
