package compile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// racyWindow is how close to a scan a file's modification time makes
// its recorded state untrusted (see inputRecord.Scanned).
const racyWindow = 2 * time.Second

// InputsFile is the name, inside the target folder, of the record of
// what the last complete compile read (see ScanInputs).
const InputsFile = "compile_inputs.json"

// volatileWords make a project's compiled SQL depend on more than its
// files and the Inputs key: the environment, the clock, the invocation or
// chance. A project whose files mention one is never taken as unchanged.
// "${" is project.yml's (and properties YAML's) environment substitution.
var volatileWords = [][]byte{[]byte("env_var"), []byte("${"), []byte("run_started_at"), []byte("invocation_id"), []byte("modules."), []byte("random")}

// Inputs describe what a compile's output is a function of.
type Inputs struct {
	// Root is the project folder; every file under Folders (slash paths
	// relative to Root) and every *.yml or *.yaml file directly in Root
	// is an input.
	Root    string
	Folders []string
	// Key is everything else the output depends on (the cdw binary, the
	// resolved target, vars, flags), in any stable encoding.
	Key string
}

// Scan is the state of a project's inputs, compared with the record
// the last complete compile left in the target folder.
type Scan struct {
	started   time.Time
	targetDir string
	key       string
	files     map[string]inputState
	prev      inputRecord
}

type inputState struct {
	Size     int64  `json:"s"`
	MTime    int64  `json:"t"`
	Hash     string `json:"h"`
	Volatile bool   `json:"v,omitempty"`
}

type inputRecord struct {
	Version int `json:"version"`
	// Scanned is when the recorded scan started (Unix nanoseconds). A
	// file modified less than racyWindow before it may have changed again
	// within the filesystem's timestamp granularity, so its content is
	// hashed again (git's "racy" entries).
	Scanned int64                 `json:"scanned"`
	Key     string                `json:"key"`
	Nodes   int                   `json:"nodes"`
	Files   map[string]inputState `json:"files"`
	// Outputs are the artifacts (relative to the target folder) as the
	// compile left them: size and mtime, hash unused.
	Outputs map[string]inputState `json:"outputs"`
}

// ScanInputs reads every input's size and modification time, and hashes
// the content of those that differ from the record (so a file that was
// touched but not changed still counts as unchanged, as in git's index).
func ScanInputs(targetDir string, in Inputs) (*Scan, error) {
	s := &Scan{started: time.Now(), targetDir: targetDir, key: in.Key, files: map[string]inputState{}}
	if b, err := os.ReadFile(filepath.Join(targetDir, InputsFile)); err == nil {
		if json.Unmarshal(b, &s.prev) != nil || s.prev.Version != cacheVersion {
			s.prev = inputRecord{}
		}
	}
	type entry struct {
		rel  string
		size int64
		mt   int64
	}
	var entries []entry
	add := func(rel string, fi fs.FileInfo) {
		entries = append(entries, entry{rel: rel, size: fi.Size(), mt: fi.ModTime().UnixNano()})
	}
	root, err := os.ReadDir(in.Root)
	if err != nil {
		return nil, err
	}
	for _, d := range root {
		if ext := path.Ext(d.Name()); d.Type().IsRegular() && (ext == ".yml" || ext == ".yaml") {
			fi, err := d.Info()
			if err != nil {
				return nil, err
			}
			add(d.Name(), fi)
		}
	}
	fsys := os.DirFS(in.Root)
	for _, dir := range in.Folders {
		err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == dir && os.IsNotExist(err) {
					return nil
				}
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			add(p, fi)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	states := make([]inputState, len(entries))
	errs := make([]error, len(entries))
	inParallel(len(entries), func(i int) {
		e := entries[i]
		if prev, ok := s.prev.Files[e.rel]; ok && prev.Size == e.size && prev.MTime == e.mt && prev.MTime < s.prev.Scanned-int64(racyWindow) {
			states[i] = prev
			return
		}
		b, err := os.ReadFile(filepath.Join(in.Root, filepath.FromSlash(e.rel)))
		if err != nil {
			errs[i] = err
			return
		}
		sum := sha256.Sum256(b)
		st := inputState{Size: e.size, MTime: e.mt, Hash: hex.EncodeToString(sum[:16])}
		for _, w := range volatileWords {
			if bytes.Contains(b, w) {
				st.Volatile = true
				break
			}
		}
		states[i] = st
	})
	for i, e := range entries {
		if errs[i] != nil {
			return nil, errs[i]
		}
		s.files[e.rel] = states[i]
	}
	return s, nil
}

// Unchanged reports whether the last complete compile recorded exactly
// these inputs (same key, same files with the same content, none
// volatile) and its artifacts and compiled files are as it left them;
// nodes is then the number of nodes it compiled. An unchanged project
// need not be loaded or rendered again: its output is on disk.
func (s *Scan) Unchanged() (nodes int, ok bool) {
	p := s.prev
	if p.Files == nil || p.Key != s.key || len(p.Files) != len(s.files) {
		return 0, false
	}
	for rel, st := range s.files {
		if st.Volatile || p.Files[rel].Hash != st.Hash {
			return 0, false
		}
	}
	for rel, st := range p.Outputs {
		if !statMatches(filepath.Join(s.targetDir, filepath.FromSlash(rel)), st.Size, st.MTime) {
			return 0, false
		}
	}
	compiled := readFileRecord(filepath.Join(s.targetDir, CacheFile))
	if compiled.Files == nil {
		return 0, false
	}
	rels := make([]string, 0, len(compiled.Files))
	for rel := range compiled.Files {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	bad := make([]bool, len(rels))
	inParallel(len(rels), func(i int) {
		st := compiled.Files[rels[i]]
		bad[i] = !st.matches(filepath.Join(s.targetDir, "compiled", filepath.FromSlash(rels[i])))
	})
	for _, b := range bad {
		if b {
			return 0, false
		}
	}
	return p.Nodes, true
}

// Record writes the scanned inputs as those of a complete compile of
// nodes nodes that has just written the artifacts named in outputs
// (relative to the target folder, e.g. manifest.json); the compiled files
// are checked through WriteAll's record.
func (s *Scan) Record(nodes int, outputs ...string) error {
	r := inputRecord{Version: cacheVersion, Scanned: s.started.UnixNano(), Key: s.key, Nodes: nodes, Files: s.files, Outputs: map[string]inputState{}}
	for _, rel := range append(outputs, CacheFile) {
		fi, err := os.Stat(filepath.Join(s.targetDir, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		r.Outputs[rel] = inputState{Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	p := filepath.Join(s.targetDir, InputsFile)
	if err := os.WriteFile(p+".tmp", b, 0o644); err != nil {
		return err
	}
	return os.Rename(p+".tmp", p)
}

// Forget removes the record, so the next compile loads the project; for
// a compile that did not complete.
func Forget(targetDir string) {
	os.Remove(filepath.Join(targetDir, InputsFile))
}

func statMatches(p string, size, mtime int64) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == size && fi.ModTime().UnixNano() == mtime
}

// inParallel runs fn for i in [0, n) on a few goroutines (file system
// calls overlap even on few cores).
func inParallel(n int, fn func(i int)) {
	const workers = 4
	var wg sync.WaitGroup
	next := make(chan int, 64)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Key joins the parts of an Inputs key unambiguously into one string.
func Key(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p)
		b.WriteByte(0)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
