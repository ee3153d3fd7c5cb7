package duckdb

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// normalize maps a value scanned from duckdb-go to cdw's engine-neutral Go
// values (see conn.Query). dbType is the column's DatabaseTypeName.
func normalize(dbType string, v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64:
		return x
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return strconv.FormatUint(x, 10)
		}
		return int64(x)
	case float32:
		return float64(x)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		return x.String()
	case duckdb.Decimal:
		return decimalString(x)
	case time.Time:
		return x.UTC()
	case []byte:
		if strings.EqualFold(dbType, "UUID") && len(x) == 16 {
			return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
		}
		return x
	case duckdb.UUID:
		return x.String()
	case *duckdb.UUID:
		return x.String()
	}
	return v
}

// decimalString renders d exactly with all Scale fraction digits, as
// PostgreSQL renders a numeric(p,s): 1.5 in DECIMAL(18,2) is "1.50".
func decimalString(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	digits := new(big.Int).Abs(d.Value).String()
	scale := int(d.Scale)
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if d.Value.Sign() < 0 {
		return "-" + digits
	}
	return digits
}
