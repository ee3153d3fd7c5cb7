package intern

import "testing"

func TestStringReturnsEqualValuesAndStaysBounded(t *testing.T) {
	c := New(2)
	a := c.String([]byte("S"))
	if a != "S" {
		t.Fatalf("String(S) = %v", a)
	}
	key := []byte("01")
	b := c.String(key)
	key[0] = 'X' // the cache must have copied the key
	if v, ok := c.Get([]byte("01")); !ok || v != "01" || b != "01" {
		t.Fatalf("Get(01) = %v, %v after the caller changed its slice", v, ok)
	}
	if c.Len() != 2 {
		t.Fatalf("Len = %d, want 2", c.Len())
	}
	c.String([]byte("DY")) // full: forgets everything, then holds DY
	if c.Len() != 1 {
		t.Fatalf("Len after overflow = %d, want 1", c.Len())
	}
	if _, ok := c.Get([]byte("S")); ok {
		t.Fatal("S survived a clear")
	}
}

func TestHitsDoNotAllocate(t *testing.T) {
	c := New(8)
	k := []byte("20160222000000")
	c.Put(k, 42.0)
	c.String([]byte("NT"))
	nt := []byte("NT")
	if n := testing.AllocsPerRun(100, func() {
		if v, _ := c.Get(k); v != 42.0 {
			t.Fatal("wrong value")
		}
		_ = c.String(nt)
	}); n != 0 {
		t.Fatalf("cache hits allocate %v times", n)
	}
}
