package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// dataformVersion is the peer issue 7 names; @dataform/core 1.x runs
// project code in vm2, whose later 3.9 releases break it, hence the pin.
const (
	dataformVersion = "1.20.2"
	vm2Version      = "3.9.19"
)

// dataform installs Dataform into the work folder (once; npm takes a
// minute or two) and returns the path of its CLI, or "" and the reason
// when it cannot be had.
func (e *benchEnv) dataform(ctx context.Context) (string, string) {
	if !e.cfg.Dataform {
		return "", "Dataform skipped (-dataform off)"
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", "Dataform skipped: npm is not installed"
	}
	dir := filepath.Join(e.cfg.Work, "dataform-"+dataformVersion)
	bin := filepath.Join(dir, "node_modules", ".bin", "dataform")
	if strings.Contains(commandOutput(ctx, bin, "--version"), dataformVersion) {
		return bin, ""
	}
	e.logf("installing Dataform %s (vm2 pinned to %s) into %s", dataformVersion, vm2Version, dir)
	pkg := fmt.Sprintf(`{"name": "cdw-bench-dataform", "private": true,
  "dependencies": {"@dataform/cli": %q, "@dataform/core": %q},
  "overrides": {"vm2": %q}}
`, dataformVersion, dataformVersion, vm2Version)
	if err := writeFiles(dir, map[string]string{"package.json": pkg}); err != nil {
		return "", "Dataform skipped: " + err.Error()
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Sprintf("Dataform skipped: npm install failed: %v: %s", err, firstLine(tail(out, 300)))
	}
	if !strings.Contains(commandOutput(ctx, bin, "--version"), dataformVersion) {
		return "", "Dataform skipped: the installed CLI does not report " + dataformVersion
	}
	return bin, ""
}

// linkDataformModules lets a generated Dataform project find
// @dataform/core in the shared install.
func linkDataformModules(project, bin string) error {
	link := filepath.Join(project, "node_modules")
	os.Remove(link)
	return os.Symlink(filepath.Dir(filepath.Dir(bin)), link)
}
