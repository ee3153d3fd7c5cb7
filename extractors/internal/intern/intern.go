// Package intern keeps boxed values for byte strings seen before, so the
// extractors' hot loops can fill a []any row without allocating for values
// that repeat (register ids, flags, timestamps, common readings).
package intern

// Cache maps byte strings to boxed values. It holds at most a fixed number
// of entries and forgets all of them when full, so memory stays bounded on
// inputs where values never repeat. The zero value is not usable; call New.
// A Cache is not safe for concurrent use.
type Cache struct {
	m   map[string]any
	max int
}

// New returns a Cache holding at most max entries (at least 1).
func New(max int) *Cache {
	if max < 1 {
		max = 1
	}
	return &Cache{m: make(map[string]any, min(max, 1024)), max: max}
}

// Get returns the value stored for key, without allocating.
func (c *Cache) Get(key []byte) (any, bool) {
	v, ok := c.m[string(key)]
	return v, ok
}

// Put stores v for key (copying key) and returns v.
func (c *Cache) Put(key []byte, v any) any {
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[string(key)] = v
	return v
}

// String returns key as a boxed string, allocating only the first time a
// given key is seen (since the cache was last cleared).
func (c *Cache) String(key []byte) any {
	if v, ok := c.m[string(key)]; ok {
		return v
	}
	return c.Put(key, string(key))
}

// Len is the number of entries held.
func (c *Cache) Len() int { return len(c.m) }
