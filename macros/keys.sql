{#- Identity helpers shared by every source. -#}

{#- A meter serial as industry flows and the billing platform both write it:
    upper case, no spaces ("f75a 00802" and "F75A00802" are one meter). -#}
{% macro serial_key(serial) -%}
upper(replace(trim({{ serial }}), ' ', ''))
{%- endmacro %}

{#- The canonical register key: MPxN + meter serial + register reference. -#}
{% macro register_key(mpxn, serial, register) -%}
({{ mpxn }} || '|' || {{ serial_key(serial) }} || '|' || upper(trim({{ register }})))
{%- endmacro %}

{#- A deterministic row id from a source name and the row's origin. -#}
{% macro row_id(source, file_col, line_col) -%}
md5('{{ source }}|' || {{ file_col }} || '|' || cast({{ line_col }} as varchar))
{%- endmacro %}
