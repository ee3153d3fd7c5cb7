package migrate

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestRedshiftFSWidensTextColumnsOnly(t *testing.T) {
	src := fstest.MapFS{
		"00001_raw.sql": {Data: []byte("-- +goose Up\ncreate table raw.r (raw_text TEXT not null, body text, text_value bigint);\n")},
		"README.md":     {Data: []byte("text stays text\n")},
	}
	rfs := redshiftFS{src}
	got, err := fs.ReadFile(rfs, "00001_raw.sql")
	if err != nil {
		t.Fatal(err)
	}
	want := "-- +goose Up\ncreate table raw.r (raw_text varchar(65535) not null, body varchar(65535), text_value bigint);\n"
	if string(got) != want {
		t.Errorf("rewritten migration\n got %q\nwant %q", got, want)
	}
	info, err := fs.Stat(rfs, "00001_raw.sql")
	if err != nil || info.Size() != int64(len(want)) {
		t.Errorf("Stat: %v, size %d, want %d", err, info.Size(), len(want))
	}
	if other, _ := fs.ReadFile(rfs, "README.md"); string(other) != "text stays text\n" {
		t.Errorf("a non-migration file was rewritten: %q", other)
	}
}

func TestRedshiftFSCommentsOutIndexes(t *testing.T) {
	src := fstest.MapFS{"00002_idx.sql": {Data: []byte("-- +goose Up\ncreate table raw.k (a bigint);\nCREATE UNIQUE INDEX k_a\n    on raw.k (a);\ncreate index k_b on raw.k (a);\n-- +goose Down\ndrop index raw.k_a;\ndrop table raw.k;\n")}}
	got, err := fs.ReadFile(redshiftFS{src}, "00002_idx.sql")
	if err != nil {
		t.Fatal(err)
	}
	want := "-- +goose Up\ncreate table raw.k (a bigint);\n-- no indexes on Redshift: CREATE UNIQUE INDEX k_a     on raw.k (a);\n-- no indexes on Redshift: create index k_b on raw.k (a);\n-- +goose Down\n-- no indexes on Redshift: drop index raw.k_a;\ndrop table raw.k;\n"
	if string(got) != want {
		t.Errorf("rewritten migration\n got %q\nwant %q", got, want)
	}
}
