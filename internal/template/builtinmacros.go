package template

// builtinMacros are cdw's versions of the dbt macros dbt projects and
// packages call (the `dbt` namespace; a root project macro of the same
// name overrides them): schema naming and a set of cross-database helpers,
// written for the engines cdw runs on (DuckDB, PostgreSQL, Redshift).
const builtinMacros = `
{#- Schema naming: <target schema>_<custom schema>, or the target schema. -#}
{% macro default__generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ target.schema }}_{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

{% macro generate_schema_name(custom_schema_name=none, node=none) -%}
  {{- default__generate_schema_name(custom_schema_name, node) -}}
{%- endmacro %}

{#- The custom schema alone on the prod target, the target schema elsewhere. -#}
{% macro generate_schema_name_for_env(custom_schema_name, node) -%}
  {%- if target.name == 'prod' and custom_schema_name is not none -%}{{ custom_schema_name | trim }}{%- else -%}{{ target.schema }}{%- endif -%}
{%- endmacro %}

{% macro type_string() %}{% if target.type == 'redshift' %}varchar{% else %}text{% endif %}{% endmacro %}
{% macro type_int() %}integer{% endmacro %}
{% macro type_bigint() %}bigint{% endmacro %}
{% macro type_float() %}float8{% endmacro %}
{% macro type_numeric() %}numeric(28,6){% endmacro %}
{% macro type_timestamp() %}timestamp{% endmacro %}
{% macro type_boolean() %}boolean{% endmacro %}

{% macro current_timestamp() %}current_timestamp{% endmacro %}
{% macro string_literal(value) %}'{{ value | replace("'", "''") }}'{% endmacro %}
{% macro escape_single_quotes(expression) %}{{ expression | replace("'", "''") }}{% endmacro %}
{% macro safe_cast(field, type) %}cast({{ field }} as {{ type }}){% endmacro %}
{% macro cast_bool_to_text(field) %}cast({{ field }} as {{ type_string() }}){% endmacro %}
{% macro concat(fields) %}{{ fields | join(' || ') }}{% endmacro %}
{% macro hash(field) %}md5(cast({{ field }} as {{ type_string() }})){% endmacro %}
{% macro length(expression) %}length({{ expression }}){% endmacro %}
{% macro replace(field, old_chars, new_chars) %}replace({{ field }}, {{ old_chars }}, {{ new_chars }}){% endmacro %}
{% macro position(substring_text, string_text) %}position({{ substring_text }} in {{ string_text }}){% endmacro %}
{% macro right(string_text, length_expression) %}right({{ string_text }}, {{ length_expression }}){% endmacro %}
{% macro split_part(string_text, delimiter_text, part_number) %}split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }}){% endmacro %}
{% macro date_trunc(datepart, date) %}date_trunc('{{ datepart }}', {{ date }}){% endmacro %}
{% macro dateadd(datepart, interval, from_date_or_timestamp) %}({{ from_date_or_timestamp }} + ((interval '1 {{ datepart }}') * ({{ interval }}))){% endmacro %}
{% macro bool_or(expression) %}bool_or({{ expression }}){% endmacro %}
{% macro any_value(expression) %}min({{ expression }}){% endmacro %}
{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) -%}
  string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
{%- endmacro %}
{% macro except() %}except{% endmacro %}
{% macro intersect() %}intersect{% endmacro %}
`
