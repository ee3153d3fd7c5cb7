-- Half-hourly consumption with the UK local day each interval belongs to.
-- When the same interval of the same meter was delivered more than once, the
-- most recently loaded copy wins (load ids are time-ordered UUIDv7).
-- kwh_issue flags a value that is no consumption: a meter's error value
-- (var halfhourly_error_values, e.g. 16777.215 = 2^24-1 Wh) or a negative
-- one. Flagged intervals stay, and consumption models do not sum them.
-- The rules are in macros/halfhourly.sql, which daily_consumption shares.
{{ halfhourly_intervals(source('raw', 'halfhourly_consumption')) }}
