{#- Helpers of the reading-plausibility models estimated_advance_elec and
    estimated_advance_gas (domain.md §4.4). -#}

{#- The CV (MJ/m³) a gas estimated advance uses when the LDZ has none over
    the window since the last read (domain.md §5.9: 39.417). -#}
{% macro estimated_advance_default_cv() -%}{{ var('estimated_advance_default_cv', 39.417) }}{%- endmacro %}

{#- The dial count the plausibility check assumes when the register's is
    unknown (domain.md §4.4: 5). Only these two models default it; the
    readings and EAC/AQ models never do. -#}
{% macro estimated_advance_default_digits() -%}{{ var('estimated_advance_default_digits', 5) }}{%- endmacro %}

{#- Each register's valid readings on or before the as-of date, newest
    first (pick = 1 is the last one), from any account or source: the
    meter's last known state. -#}
{% macro last_valid_reads() -%}
select
        register_key,
        read_at,
        reading_value,
        row_number() over (partition by register_key order by read_at desc, reading_id desc) as pick
    from {{ ref('readings_valid') }}
    where is_valid
      and cast(read_at as date) <= {{ as_of_date() }}
{%- endmacro %}

{#- Whether tolerance row t (alias of the plausibility_tolerances seed)
    applies on the as-of date to a figure `value`: its tol_group, group_id
    and lookup_key are those given; effective_from on or before the as-of
    date and effective_to (inclusive) on or after it, a missing
    effective_to open; and value within [lookup_range_min,
    lookup_range_max), a missing bound open, so contiguous bands never
    both match. -#}
{% macro tolerance_applies(t, tol_group, group_id, lookup_key, value) -%}
({{ t }}.tol_group = '{{ tol_group }}'
    and {{ t }}.group_id = {{ group_id }}
    and {{ t }}.lookup_key = '{{ lookup_key }}'
    and {{ t }}.effective_from <= {{ as_of_date() }}
    and ({{ t }}.effective_to is null or {{ t }}.effective_to >= {{ as_of_date() }})
    and ({{ t }}.lookup_range_min is null or {{ value }} >= {{ t }}.lookup_range_min)
    and ({{ t }}.lookup_range_max is null or {{ value }} < {{ t }}.lookup_range_max))
{%- endmacro %}

{#- Generic test: rows where column_name is above other_column fail (NULLs
    pass), e.g. a lower threshold above its upper one. -#}
{% test not_above(model, column_name, other_column) %}
select {{ column_name }}, {{ other_column }}
from {{ model }}
where {{ column_name }} > {{ other_column }}
{% endtest %}
