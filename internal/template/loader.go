package template

import (
	"fmt"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/nikolalohinski/gonja/v2/loaders"
)

// sourceLoader serves template sources from memory to gonja. Templates are
// registered by Engine.Parse; include/import resolve against the same set.
type sourceLoader struct {
	mu    sync.RWMutex
	files map[string]string // "/" + path → source
}

func newSourceLoader() *sourceLoader { return &sourceLoader{files: map[string]string{}} }

func (l *sourceLoader) add(p, src string) string {
	id := "/" + strings.TrimPrefix(path.Clean(p), "/")
	l.mu.Lock()
	l.files[id] = src
	l.mu.Unlock()
	return id
}

func (l *sourceLoader) Read(p string) (io.Reader, error) {
	id, err := l.Resolve(p)
	if err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return strings.NewReader(l.files[id]), nil
}

func (l *sourceLoader) Resolve(p string) (string, error) {
	id := "/" + strings.TrimPrefix(path.Clean(p), "/")
	l.mu.RLock()
	defer l.mu.RUnlock()
	if _, ok := l.files[id]; !ok {
		return "", fmt.Errorf("no template %q", p)
	}
	return id, nil
}

func (l *sourceLoader) Inherit(string) (loaders.Loader, error) { return l, nil }
