package postgres

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Normalize maps a value decoded by pgx to cdw's engine-neutral Go values
// (see conn.Query): integers as int64, floats as float64, times in UTC,
// numerics and UUIDs as text. Redshift, spoken to through pgx too, uses it.
func Normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, []byte:
		return x, nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return strconv.FormatUint(x, 10), nil
		}
		return int64(x), nil
	case float32:
		return float64(x), nil
	case time.Time:
		return x.UTC(), nil
	case pgtype.Numeric:
		s, err := x.Value()
		if err != nil {
			return nil, err
		}
		return s, nil
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16]), nil
	}
	return v, nil
}
