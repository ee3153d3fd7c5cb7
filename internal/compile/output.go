package compile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// CacheFile is the name, inside the target folder, of the record of the
// compiled files WriteAll last wrote.
const CacheFile = "compiled_files.json"

// cacheVersion changes when the record's meaning does; an unknown version
// is ignored (every file is written again).
const cacheVersion = 1

// Written is what WriteAll did.
type Written struct {
	// Nodes is how many nodes compiled; Unchanged of them already had
	// exactly that SQL on disk and were left alone.
	Nodes, Unchanged int
	// Problems are the nodes that did not compile, one message each, in
	// the order of ids.
	Problems []string
}

// WriteAll compiles ids with compileNode on several goroutines and writes
// each node's SQL (trailing newlines trimmed, one added) to
// targetDir/compiled/<Node.File>, from one goroutine, in the order of ids.
//
// A file whose new SQL has the content hash recorded for it by the last
// WriteAll in targetDir/CacheFile, and whose size and modification time
// on disk are still the ones recorded, is not written again: a compile of
// an unchanged project costs a stat per node instead of a rewrite (on
// many filesystems creating or truncating a file costs far more than
// rendering its SQL). A file changed or removed by hand since is written
// again. The record is replaced at the end; without it (first compile,
// unreadable or another version) every file is written.
//
// compileNode must be safe for concurrent use. An error is returned only
// for a failure to write; nodes that fail to compile are in Problems.
func WriteAll(targetDir string, ids []string, compileNode func(id string) (*Node, error)) (Written, error) {
	out := Written{Nodes: len(ids)}
	cachePath := filepath.Join(targetDir, CacheFile)
	old := readFileRecord(cachePath)
	next := fileRecord{Version: cacheVersion, Files: make(map[string]fileState, len(ids))}

	type result struct {
		node *Node
		body []byte
		err  error
	}
	results := make([]chan result, len(ids))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	work := make(chan int)
	workers := max(1, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				n, err := compileNode(ids[i])
				r := result{node: n, err: err}
				if err == nil {
					r.body = []byte(strings.TrimRight(n.SQL, "\n") + "\n")
				}
				results[i] <- r
			}
		}()
	}
	go func() {
		for i := range ids {
			work <- i
		}
		close(work)
	}()

	// One writer, in order: parallel file creation in one folder contends
	// on the folder and is slower than serial on the filesystems measured.
	w := writer{dirs: map[string]bool{}}
	var werr error
	for i := range ids {
		r := <-results[i]
		if r.err != nil {
			out.Problems = append(out.Problems, r.err.Error())
			continue
		}
		if werr != nil {
			continue // drain the workers
		}
		rel := filepath.FromSlash(r.node.File)
		sum := sha256.Sum256(r.body)
		hash := hex.EncodeToString(sum[:16])
		dst := filepath.Join(targetDir, "compiled", rel)
		if prev, ok := old.Files[r.node.File]; ok && prev.Hash == hash && prev.matches(dst) {
			next.Files[r.node.File] = prev
			out.Unchanged++
			continue
		}
		st, err := w.write(dst, r.body)
		if err != nil {
			werr = err
			continue
		}
		st.Hash = hash
		next.Files[r.node.File] = st
	}
	wg.Wait()
	if werr != nil {
		return out, werr
	}
	return out, writeFileRecord(cachePath, next)
}

// fileRecord is the content of CacheFile.
type fileRecord struct {
	Version int                  `json:"version"`
	Files   map[string]fileState `json:"files"` // by Node.File
}

// fileState is a written file: its content hash, and its size and
// modification time (Unix nanoseconds) right after it was written.
type fileState struct {
	Hash  string `json:"h"`
	Size  int64  `json:"s"`
	MTime int64  `json:"t"`
}

// matches reports whether the file at path still has the recorded size and
// modification time.
func (s fileState) matches(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == s.Size && fi.ModTime().UnixNano() == s.MTime
}

func readFileRecord(path string) fileRecord {
	var r fileRecord
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &r) != nil || r.Version != cacheVersion {
		return fileRecord{}
	}
	return r
}

// writeFileRecord replaces the record atomically (a rename), so an
// interrupted compile leaves the old record or the new one.
func writeFileRecord(path string, r fileRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// writer writes files, creating each folder once.
type writer struct{ dirs map[string]bool }

func (w *writer) write(path string, body []byte) (fileState, error) {
	if dir := filepath.Dir(path); !w.dirs[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fileState{}, err
		}
		w.dirs[dir] = true
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fileState{}, err
	}
	_, err = f.Write(body)
	if err == nil {
		var fi fs.FileInfo
		if fi, err = f.Stat(); err == nil {
			err = f.Close()
			return fileState{Size: fi.Size(), MTime: fi.ModTime().UnixNano()}, err
		}
	}
	return fileState{}, errors.Join(fmt.Errorf("write %s: %w", path, err), f.Close())
}
