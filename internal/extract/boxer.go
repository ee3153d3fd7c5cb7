package extract

import (
	"bytes"
	"math"
	"time"
)

// boxCacheMax bounds each of a boxer's maps; a full map is cleared, so
// memory stays bounded when values never repeat.
const boxCacheMax = 8192

// boxer turns typed cells into the Go values of the Sink contract (string,
// int64, float64, bool, time.Time in UTC, nil), reusing the box of a value
// seen in the same column on the previous row or recently in any column of
// its type, so repeated values cost no allocation. Not safe for concurrent
// use.
type boxer struct {
	kinds    []Type
	last     []any // last box per column; nil when none yet
	lastBits []uint64
	lastText [][]byte
	texts    map[string]any
	floats   map[uint64]any
	times    map[uint64]any
	recent   recent // times boxed lately in any column: a row's start is often the previous row's end
}

// recent remembers the last few boxes of one kind, checked before a map.
type recent struct {
	bits [4]uint64
	box  [4]any
	next int
}

func (r *recent) get(bits uint64) (any, bool) {
	for i, b := range r.bits {
		if b == bits && r.box[i] != nil {
			return r.box[i], true
		}
	}
	return nil, false
}

func (r *recent) put(bits uint64, box any) {
	r.bits[r.next], r.box[r.next] = bits, box
	r.next = (r.next + 1) % len(r.bits)
}

func newBoxer(kinds []Type) *boxer {
	return &boxer{
		kinds:    kinds,
		last:     make([]any, len(kinds)),
		lastBits: make([]uint64, len(kinds)),
		lastText: make([][]byte, len(kinds)),
		texts:    map[string]any{},
		floats:   map[uint64]any{},
		times:    map[uint64]any{},
	}
}

// box fills dst (one value per column) from one typed row.
func (b *boxer) box(dst []any, null []bool, bits []uint64, text [][]byte) {
	for i, k := range b.kinds {
		if null[i] {
			dst[i] = nil
			continue
		}
		if k == Text {
			if b.last[i] == nil || !bytes.Equal(b.lastText[i], text[i]) {
				v, ok := b.texts[string(text[i])]
				if !ok {
					s := string(text[i])
					v = s
					put(b.texts, s, v)
				}
				b.last[i] = v
				b.lastText[i] = append(b.lastText[i][:0], text[i]...)
			}
			dst[i] = b.last[i]
			continue
		}
		v := bits[i]
		if b.last[i] == nil || b.lastBits[i] != v {
			switch k {
			case Int64:
				b.last[i] = int64(v)
			case Bool:
				b.last[i] = v != 0
			case Float64:
				box, ok := b.floats[v]
				if !ok {
					box = math.Float64frombits(v)
					put(b.floats, v, box)
				}
				b.last[i] = box
			default: // Timestamp, TimestampTZ
				box, ok := b.recent.get(v)
				if !ok {
					if box, ok = b.times[v]; !ok {
						box = time.UnixMicro(int64(v)).UTC()
						put(b.times, v, box)
					}
					b.recent.put(v, box)
				}
				b.last[i] = box
			}
			b.lastBits[i] = v
		}
		dst[i] = b.last[i]
	}
}

// put stores v under key, first clearing m when it is full.
func put[K comparable](m map[K]any, key K, v any) {
	if len(m) >= boxCacheMax {
		clear(m)
	}
	m[key] = v
}
