package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// typedRowSource is what a warehouse.RowSource may also implement to have
// its rows encoded straight from typed cells into PostgreSQL's binary COPY
// format, with no boxing and no allocation per row (internal/extract's
// pipe does). It is declared with builtin types only, so neither package
// imports the other.
//
// ColumnKinds names each column's cells: "text", "int64", "float64",
// "bool" or "time". TypedRow returns the current row (valid until Next):
// NULL flags, bits (int64 as is, float64 as math.Float64bits, bool 0 or 1,
// time as UTC unix microseconds) and texts.
type typedRowSource interface {
	ColumnKinds() []string
	TypedRow() (null []bool, bits []uint64, text [][]byte, err error)
}

// cellCode is how one column is written on the wire.
type cellCode uint8

const (
	cellText   cellCode = iota // text, varchar, bpchar, json: the bytes
	cellInt8                   // bigint
	cellInt4                   // integer, range-checked
	cellInt2                   // smallint, range-checked
	cellFloat8                 // double precision
	cellBool                   // boolean
	cellTime                   // timestamp and timestamptz: µs since 2000-01-01 UTC
)

// PostgreSQL type OIDs the binary encoder writes.
const (
	oidBool        = 16
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidText        = 25
	oidJSON        = 114
	oidFloat8      = 701
	oidBPChar      = 1042
	oidVarchar     = 1043
	oidTimestamp   = 1114
	oidTimestampTZ = 1184
)

// cellFor picks the wire encoding of a cell kind into a column type, or
// false when the pair needs a conversion only the generic path has.
func cellFor(kind string, oid uint32) (cellCode, bool) {
	switch {
	case kind == "text" && (oid == oidText || oid == oidVarchar || oid == oidBPChar || oid == oidJSON):
		return cellText, true
	case kind == "int64" && oid == oidInt8:
		return cellInt8, true
	case kind == "int64" && oid == oidInt4:
		return cellInt4, true
	case kind == "int64" && oid == oidInt2:
		return cellInt2, true
	case kind == "float64" && oid == oidFloat8:
		return cellFloat8, true
	case kind == "bool" && oid == oidBool:
		return cellBool, true
	case kind == "time" && (oid == oidTimestamp || oid == oidTimestampTZ):
		return cellTime, true
	}
	return 0, false
}

// copyTyped loads src with COPY ... FROM STDIN (FORMAT binary) encoded by
// binaryRows when src is a typedRowSource and every column's kind maps
// straight onto its column type. ok is false (and nothing was sent) when
// the generic path must be used instead.
func (c conn) copyTyped(ctx context.Context, rel warehouse.Relation, columns []string, src warehouse.RowSource) (n int64, ok bool, err error) {
	ts, isTyped := src.(typedRowSource)
	if !isTyped {
		return 0, false, nil
	}
	kinds := ts.ColumnKinds()
	if len(kinds) != len(columns) {
		return 0, false, nil
	}
	oids, err := c.columnTypes(ctx, rel)
	if err != nil {
		return 0, false, err
	}
	codes := make([]cellCode, len(columns))
	for i, name := range columns {
		oid, found := oids[name]
		if !found {
			return 0, false, nil // the generic path reports the missing column
		}
		if codes[i], found = cellFor(kinds[i], oid); !found {
			return 0, false, nil
		}
	}
	quoted := make([]string, len(columns))
	for i, name := range columns {
		quoted[i] = pgx.Identifier{name}.Sanitize()
	}
	sql := fmt.Sprintf("copy %s (%s) from stdin (format binary)", quote(rel), strings.Join(quoted, ", "))
	r := &binaryRows{src: src, rows: ts, codes: codes}
	err = c.withPgConn(ctx, func(pc *pgconn.PgConn) error {
		tag, err := pc.CopyFrom(ctx, r, sql)
		n = tag.RowsAffected()
		return err
	})
	if r.err != nil { // the source's own failure explains the aborted COPY best
		err = r.err
	}
	if err != nil {
		return 0, true, fmt.Errorf("postgres: bulk load %s: %w", rel, err)
	}
	return n, true, nil
}

// columnTypes maps rel's column names to their type OIDs.
func (c conn) columnTypes(ctx context.Context, rel warehouse.Relation) (map[string]uint32, error) {
	rows, err := c.q.Query(ctx, `select a.attname::text, a.atttypid::int8 from pg_attribute a
where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped`, quote(rel))
	if err != nil {
		return nil, fmt.Errorf("postgres: columns of %s: %w", rel, err)
	}
	defer rows.Close()
	out := map[string]uint32{}
	for rows.Next() {
		var name string
		var oid int64
		if err := rows.Scan(&name, &oid); err != nil {
			return nil, fmt.Errorf("postgres: columns of %s: %w", rel, err)
		}
		out[name] = uint32(oid)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: columns of %s: %w", rel, err)
	}
	return out, nil
}

// withPgConn runs fn on the low-level connection of the transaction, or
// of a connection acquired from the pool for the duration of fn.
func (c conn) withPgConn(ctx context.Context, fn func(*pgconn.PgConn) error) error {
	switch q := c.q.(type) {
	case pgx.Tx:
		return fn(q.Conn().PgConn())
	case *pgxpool.Pool:
		pc, err := q.Acquire(ctx)
		if err != nil {
			return err
		}
		defer pc.Release()
		return fn(pc.Conn().PgConn())
	}
	return fmt.Errorf("postgres: no connection behind %T", c.q)
}

// copyHeader starts every binary COPY stream: signature, flags, no
// extension area; copyTrailer ends it.
const (
	copyHeader  = "PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	copyTrailer = "\xff\xff"
)

// y2kMicros is 2000-01-01 00:00:00 UTC in unix microseconds, PostgreSQL's
// timestamp epoch.
const y2kMicros = 946_684_800_000_000

// binaryRows is the io.Reader pgconn sends as COPY data: it encodes rows
// of a typed source as they are asked for, straight into the caller's
// buffer, and keeps only the part of a row that did not fit.
type binaryRows struct {
	src     warehouse.RowSource
	rows    typedRowSource
	codes   []cellCode
	started bool
	done    bool
	pending string // header or trailer bytes not yet returned
	spill   []byte // the encoded row that did not fit, from spilled on
	spilled int
	err     error // the source's failure, if any
}

// Read implements io.Reader.
func (r *binaryRows) Read(p []byte) (int, error) {
	if !r.started {
		r.started, r.pending = true, copyHeader
	}
	n := 0
	for n < len(p) {
		switch {
		case r.pending != "":
			m := copy(p[n:], r.pending)
			n, r.pending = n+m, r.pending[m:]
			continue
		case r.spilled < len(r.spill):
			m := copy(p[n:], r.spill[r.spilled:])
			n, r.spilled = n+m, r.spilled+m
			continue
		case r.done:
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		}
		if !r.src.Next() {
			if err := r.src.Err(); err != nil {
				r.err = err
				return n, err
			}
			r.done, r.pending = true, copyTrailer
			continue
		}
		null, bits, text, err := r.rows.TypedRow()
		if err != nil {
			r.err = err
			return n, err
		}
		if size := r.size(null, text); size <= len(p)-n {
			if _, err := r.encode(p[n:n], null, bits, text); err != nil {
				r.err = err
				return n, err
			}
			n += size
			continue
		}
		if r.spill, err = r.encode(r.spill[:0], null, bits, text); err != nil {
			r.err = err
			return n, err
		}
		r.spilled = 0
	}
	return n, nil
}

// size is the encoded length of one row.
func (r *binaryRows) size(null []bool, text [][]byte) int {
	size := 2
	for i, c := range r.codes {
		size += 4
		if null[i] {
			continue
		}
		switch c {
		case cellText:
			size += len(text[i])
		case cellInt8, cellFloat8, cellTime:
			size += 8
		case cellInt4:
			size += 4
		case cellInt2:
			size += 2
		case cellBool:
			size++
		}
	}
	return size
}

// encode appends one row as a binary COPY tuple to dst.
func (r *binaryRows) encode(dst []byte, null []bool, bits []uint64, text [][]byte) ([]byte, error) {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(r.codes)))
	for i, c := range r.codes {
		if null[i] {
			dst = binary.BigEndian.AppendUint32(dst, math.MaxUint32) // -1: NULL
			continue
		}
		v := bits[i]
		switch c {
		case cellText:
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(text[i])))
			dst = append(dst, text[i]...)
		case cellInt8, cellFloat8:
			dst = binary.BigEndian.AppendUint32(dst, 8)
			dst = binary.BigEndian.AppendUint64(dst, v)
		case cellTime:
			dst = binary.BigEndian.AppendUint32(dst, 8)
			dst = binary.BigEndian.AppendUint64(dst, uint64(int64(v)-y2kMicros))
		case cellInt4:
			if x := int64(v); x < math.MinInt32 || x > math.MaxInt32 {
				return dst, fmt.Errorf("column %d: %d is out of range for integer", i+1, x)
			}
			dst = binary.BigEndian.AppendUint32(dst, 4)
			dst = binary.BigEndian.AppendUint32(dst, uint32(int32(int64(v))))
		case cellInt2:
			if x := int64(v); x < math.MinInt16 || x > math.MaxInt16 {
				return dst, fmt.Errorf("column %d: %d is out of range for smallint", i+1, x)
			}
			dst = binary.BigEndian.AppendUint32(dst, 2)
			dst = binary.BigEndian.AppendUint16(dst, uint16(int16(int64(v))))
		case cellBool:
			dst = binary.BigEndian.AppendUint32(dst, 1)
			dst = append(dst, byte(v&1))
		default:
			return dst, errors.New("unknown cell encoding")
		}
	}
	return dst, nil
}
