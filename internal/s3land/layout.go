package s3land

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"time"
)

// Object names where one landed object sits in the layout.
type Object struct {
	Source string    // e.g. billing
	Entity string    // e.g. readings
	Day    time.Time // the dt= partition (UTC date)
	LoadID string
	Part   string // e.g. account=42
}

// suffix of every landed object.
const suffix = ".ndjson.gz"

var segment = regexp.MustCompile(`^[A-Za-z0-9_.=-]+$`)

// Key returns the key of o under prefix:
// <prefix>/<source>/<entity>/dt=<YYYY-MM-DD>/load_id=<id>/<part>.ndjson.gz.
// Every name must be a plain path segment (letters, digits, _ . = -).
func Key(prefix string, o Object) (string, error) {
	for _, s := range []string{o.Source, o.Entity, o.LoadID, o.Part} {
		if !segment.MatchString(s) {
			return "", fmt.Errorf("s3land: %q cannot be a key segment", s)
		}
	}
	k := path.Join(o.Source, o.Entity, "dt="+o.Day.UTC().Format(time.DateOnly), "load_id="+o.LoadID, o.Part+suffix)
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		k = prefix + "/" + k
	}
	return k, nil
}

// ParseKey reads an object's place from its key under prefix; keys
// outside the layout give an error wrapping ErrNotLanded.
func ParseKey(prefix, key string) (Object, error) {
	rest := key
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		var ok bool
		if rest, ok = strings.CutPrefix(key, prefix+"/"); !ok {
			return Object{}, fmt.Errorf("%w: %s is not under %s", ErrNotLanded, key, prefix)
		}
	}
	parts := strings.Split(rest, "/")
	// ... possibly a deeper prefix the caller did not give: the layout is
	// the last five segments.
	if len(parts) < 5 || !strings.HasSuffix(key, suffix) {
		return Object{}, fmt.Errorf("%w: %s", ErrNotLanded, key)
	}
	parts = parts[len(parts)-5:]
	day, err := time.Parse(time.DateOnly, strings.TrimPrefix(parts[2], "dt="))
	loadID, ok := strings.CutPrefix(parts[3], "load_id=")
	if err != nil || !strings.HasPrefix(parts[2], "dt=") || !ok || loadID == "" {
		return Object{}, fmt.Errorf("%w: %s", ErrNotLanded, key)
	}
	return Object{Source: parts[0], Entity: parts[1], Day: day, LoadID: loadID, Part: strings.TrimSuffix(parts[4], suffix)}, nil
}

// EncodeNDJSON gzips lines, one JSON value per line. Lines must not
// contain a newline (compact JSON never does).
func EncodeNDJSON(lines [][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i, l := range lines {
		if bytes.IndexByte(l, '\n') >= 0 {
			return nil, fmt.Errorf("s3land: line %d contains a newline", i+1)
		}
		if _, err := zw.Write(l); err != nil {
			return nil, err
		}
		if _, err := zw.Write([]byte{'\n'}); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeNDJSON gunzips b and splits it into its non-empty lines.
func DecodeNDJSON(b []byte) ([][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("s3land: not gzip: %w", err)
	}
	defer zr.Close()
	var out [][]byte
	br := bufio.NewReader(zr)
	for {
		line, err := br.ReadBytes('\n')
		if l := bytes.TrimRight(line, "\r\n"); len(l) > 0 {
			out = append(out, l)
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("s3land: read NDJSON: %w", err)
		}
	}
}
