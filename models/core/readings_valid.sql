{{ config(tags=['readings']) }}
-- Every reading (one row per reading of `readings`), with whether it can be
-- used and, if not, why: nothing is silently filtered, consumers keep
-- `where is_valid`. validity_reason is the first rule that excludes it:
--   no_register_key      no MPxN, serial or register to key it by
--   negative             a register never shows a negative value
--   implausible          above var max_register_value (more digits than any register has)
--   exceeds_digits       not below 10^digit_count on a register whose dials are known
--   not_valid_at_source  billing status not VALID; D0010 validation status
--                        (J0022) not V, reading flag (J0046) F, or a
--                        withdrawn reading type (var d0010_withdrawn_reading_types)
--   not_actual           billing type not ACTUAL (ESTIMATED, FINAL, INITIAL);
--                        D0010 estimated types (var d0010_estimated_reading_types)
--   not_billable         billing reading not billable
--   smart_excluded       a SMART billing reading while var include_smart_reads is false
--   source_excluded      a billing reading source outside var valid_reading_sources
--   duplicate            the same register, time and value as a reading kept
--                        (duplicate_of names it; duplicate_count counts the copies)
--   conflicting_value    another usable reading of the register at the same
--                        time with a lower value is kept (the lowest wins)
--   implausible_advance  more than var max_daily_advance_<fuel> units a day
--                        since the register's previous usable reading
--                        (rollovers counted as §4.2 rules, in consumption_advances)
-- Each var's default here is its value in project.yml.
with judged as (
    select
        r.*,
        g.digit_count,
        case
            when r.register_key is null then 'no_register_key'
            when r.reading_value < 0 then 'negative'
            when r.reading_value > {{ var('max_register_value', 99999999) }} then 'implausible'
            when g.digit_count is not null and r.reading_value >= power(10, g.digit_count) then 'exceeds_digits'
            when r.source = 'd0010' and (
                    coalesce(r.source_status, '') <> 'V'
                 or coalesce(r.reading_flag, '') = 'F'
                 or coalesce(r.reading_type, '') in {{ sql_list(var('d0010_withdrawn_reading_types', ['W'])) }})
                then 'not_valid_at_source'
            when r.source = 'd0010' and coalesce(r.reading_type, '') in {{ sql_list(var('d0010_estimated_reading_types', ['D', 'O'])) }}
                then 'not_actual'
            when r.source = 'billing' and coalesce(r.source_status, '') <> 'VALID' then 'not_valid_at_source'
            when r.source = 'billing' and coalesce(r.reading_type, '') <> 'ACTUAL' then 'not_actual'
            when r.source = 'billing' and not coalesce(r.billable, false) then 'not_billable'
            {%- if not var('include_smart_reads', true) %}
            when r.source = 'billing' and r.reading_source = 'SMART' then 'smart_excluded'
            {%- endif %}
            when r.source = 'billing'
             and coalesce(r.reading_source, '') not in {{ sql_list(var('valid_reading_sources', ['CUSTOMER', 'DC', 'DCOPENING'])) }}
             {%- if var('include_smart_reads', true) %}
             and coalesce(r.reading_source, '') <> 'SMART'
             {%- endif %}
                then 'source_excluded'
        end as rule_reason
    from {{ ref('readings') }} as r
    left join {{ ref('registers') }} as g
        on g.register_key = r.register_key
),
-- Copies of one reading (register, time, value): a usable copy is kept
-- before an excluded one, then the first delivered (file, line), then the
-- lowest reading_id.
copies as (
    select
        *,
        row_number() over (
            partition by register_key, read_at, reading_value
            order by case when rule_reason is null then 0 else 1 end,
                     file_name nulls last, line_no nulls last, reading_id
        ) as copy_rank,
        first_value(reading_id) over (
            partition by register_key, read_at, reading_value
            order by case when rule_reason is null then 0 else 1 end,
                     file_name nulls last, line_no nulls last, reading_id
        ) as first_copy_id,
        count(*) over (partition by register_key, read_at, reading_value) as duplicate_count
    from judged
),
deduplicated as (
    select
        *,
        case
            when rule_reason is not null then rule_reason
            when copy_rank > 1 then 'duplicate'
        end as copy_reason
    from copies
),
-- Usable readings of one register at one time with different values:
-- the lowest is kept (the seed system's min(readingvalue)).
ranked_values as (
    select
        d.*,
        case when copy_reason is null then
            row_number() over (
                partition by register_key, read_at, case when copy_reason is null then 0 else 1 end
                order by reading_value, reading_id
            )
        end as value_rank
    from deduplicated as d
),
-- The chain of usable readings per register, each with the one before it.
chain as (
    select
        reading_id,
        fuel,
        reading_value,
        read_at,
        digit_count,
        lag(reading_value) over (partition by register_key order by read_at, reading_id) as prev_value,
        lag(read_at)       over (partition by register_key order by read_at, reading_id) as prev_read_at
    from ranked_values
    where copy_reason is null and value_rank = 1
),
plausibility as (
    select
        reading_id,
        {{ register_advance('prev_value', 'reading_value', 'digit_count') }}
            > case fuel
                when 'gas' then {{ var('max_daily_advance_gas', 50) }}
                else {{ var('max_daily_advance_electricity', 250) }}
              end
              * (case when {{ days_between('prev_read_at', 'read_at') }} < 1 then 1
                      else {{ days_between('prev_read_at', 'read_at') }} end)
            as too_fast
    from chain
    where prev_value is not null
),
final as (
    select
        v.*,
        case
            when v.copy_reason is not null then v.copy_reason
            when v.value_rank > 1 then 'conflicting_value'
            when p.too_fast then 'implausible_advance'
        end as validity_reason
    from ranked_values as v
    left join plausibility as p on p.reading_id = v.reading_id
)
select
    reading_id,
    source,
    fuel,
    mpxn,
    meter_serial,
    register_id,
    register_key,
    account_id,
    read_at,
    reading_value,
    reading_type,
    reading_source,
    source_status,
    billable,
    digit_count,
    duplicate_count,
    case when copy_rank > 1 then first_copy_id end as duplicate_of,
    validity_reason,
    -- one rule: a reading is valid exactly when no reason excludes it
    validity_reason is null as is_valid
from final
