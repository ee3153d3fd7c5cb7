{#- Identity helpers shared by every source. -#}

{#- A meter serial as industry flows and the billing platform both write it:
    upper case, no spaces ("f75a 00802" and "F75A00802" are one meter). -#}
{% macro serial_key(serial) -%}
upper(replace(trim({{ serial }}), ' ', ''))
{%- endmacro %}

{#- A register reference as every source can agree on it: upper case,
    trimmed, and an all-digit reference without its leading zeros (the
    billing platform writes "1" where D0010 flows write "01"; "00" is "0").
    Letters are kept as they are ("S", "DY", "A1", "G"). -#}
{% macro register_ref(register) -%}
(case
    when upper(trim({{ register }})) <> ''
     and translate(trim({{ register }}), '0123456789', '') = ''
        then coalesce(nullif(ltrim(trim({{ register }}), '0'), ''), '0')
    else upper(trim({{ register }}))
end)
{%- endmacro %}

{#- The canonical register key: MPxN + meter serial + register reference,
    each in its canonical form ("1200023305967|F75A00802|1"). -#}
{% macro register_key(mpxn, serial, register) -%}
({{ mpxn }} || '|' || {{ serial_key(serial) }} || '|' || {{ register_ref(register) }})
{%- endmacro %}

{#- The canonical meter key across sources: MPxN + meter serial. -#}
{% macro industry_meter_key(mpxn, serial) -%}
({{ mpxn }} || '|' || {{ serial_key(serial) }})
{%- endmacro %}

{#- A deterministic row id from a source name and the row's origin. -#}
{% macro row_id(source, file_col, line_col) -%}
md5('{{ source }}|' || {{ file_col }} || '|' || cast({{ line_col }} as varchar))
{%- endmacro %}

{#- The fuel of a meter point: the billing platform's meter point type when
    it gives one (E electricity, G gas); otherwise a 13-digit number is an
    MPAN core (electricity) and any other an MPRN (gas). -#}
{% macro fuel_of(mpxn, meterpointtype='null') -%}
(case
    when upper(trim({{ meterpointtype }})) = 'E' then 'electricity'
    when upper(trim({{ meterpointtype }})) = 'G' then 'gas'
    when {{ mpxn }} is null then null
    when length(trim({{ mpxn }})) = 13 then 'electricity'
    else 'gas'
end)
{%- endmacro %}

{#- Whether a 13-digit MPAN core's check digit is right: the first twelve
    digits times the weights 3 5 7 13 17 19 23 29 31 37 41 43, summed,
    modulo 11, modulo 10, is the 13th digit. NULL for anything that is not
    13 digits. -#}
{% macro mpan_check_ok(mpxn) -%}
{%- set weights = [3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43] -%}
(case
    when length({{ mpxn }}) = 13 and translate({{ mpxn }}, '0123456789', '') = ''
    then (
        {%- for w in weights %}
        cast(substr({{ mpxn }}, {{ loop.index }}, 1) as integer) * {{ w }}{% if not loop.last %} +{% endif %}
        {%- endfor %}
    ) % 11 % 10 = cast(substr({{ mpxn }}, 13, 1) as integer)
end)
{%- endmacro %}
