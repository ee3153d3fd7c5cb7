// Package deploy decides where a build deploys and runs the deploy
// sequence. It maps the current git ref — read from the CI's variables
// (Bitbucket Pipelines, GitHub Actions, GitLab CI), from CDW_BRANCH /
// CDW_TAG, or from the local git checkout — to an environment of
// project.yml, guards protected (production) targets, and runs the steps of
// `cdw deploy` (migrate up → build → artifacts), summarising them for a CI
// log with an exit code CI can act on.
//
// The guard is a safety net against mistakes, not a security boundary:
// anyone who can set BITBUCKET_BRANCH=master can pass it, as they could
// run SQL against production directly with the same credentials.
package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
)

// RefKind is what kind of git ref is being built.
type RefKind string

const (
	Branch      RefKind = "branch"
	Tag         RefKind = "tag"
	PullRequest RefKind = "pull request"
)

// Ref is the git ref a build runs for.
type Ref struct {
	Kind RefKind
	// Name is the branch or tag name; for a pull request, its source
	// branch ("" when the CI does not say).
	Name string
	// PR is the pull/merge request number ("" unless Kind is PullRequest).
	PR string
	// Base is the branch a pull request merges into ("" if unknown).
	Base string
	// Source says where the ref was read: "Bitbucket Pipelines", "GitHub
	// Actions", "GitLab CI", "CDW_BRANCH", "CDW_TAG" or "git".
	Source string
}

// String describes the ref for people: `branch develop`, `tag v1.2.3`,
// `pull request #12 (feature/x → develop)`.
func (r Ref) String() string {
	if r.Kind != PullRequest {
		return string(r.Kind) + " " + r.Name
	}
	s := "pull request #" + r.PR
	switch {
	case r.Name != "" && r.Base != "":
		s += " (" + r.Name + " → " + r.Base + ")"
	case r.Name != "":
		s += " (" + r.Name + ")"
	}
	return s
}

// ErrNoRef is wrapped when no CI variable names a ref and git cannot
// either (no checkout, detached HEAD without a tag).
var ErrNoRef = errors.New("cannot tell which git ref this is")

// DetectRef reads the current ref, first match wins:
//
//  1. CDW_TAG, then CDW_BRANCH: explicit, for other CI systems.
//  2. Bitbucket Pipelines (BITBUCKET_BUILD_NUMBER set): BITBUCKET_PR_ID
//     with BITBUCKET_BRANCH and BITBUCKET_PR_DESTINATION_BRANCH, else
//     BITBUCKET_TAG, else BITBUCKET_BRANCH.
//  3. GitHub Actions (GITHUB_ACTIONS=true): pull_request events from
//     GITHUB_REF (refs/pull/N/merge), GITHUB_HEAD_REF and GITHUB_BASE_REF;
//     otherwise GITHUB_REF_TYPE and GITHUB_REF_NAME (or GITHUB_REF).
//  4. GitLab CI (GITLAB_CI=true): CI_MERGE_REQUEST_IID with its source and
//     target branch names, else CI_COMMIT_TAG, else CI_COMMIT_BRANCH (or
//     CI_COMMIT_REF_NAME).
//  5. git in dir: the checked-out branch, or on a detached HEAD the tag
//     pointing at it.
//
// lookup reads environment variables (os.LookupEnv in the CLI). An error
// wraps ErrNoRef, or reports git failing.
func DetectRef(ctx context.Context, lookup func(string) (string, bool), dir string) (Ref, error) {
	get := func(k string) string {
		v, _ := lookup(k)
		return strings.TrimSpace(v)
	}
	if t := get("CDW_TAG"); t != "" {
		return Ref{Kind: Tag, Name: t, Source: "CDW_TAG"}, nil
	}
	if b := get("CDW_BRANCH"); b != "" {
		return Ref{Kind: Branch, Name: b, Source: "CDW_BRANCH"}, nil
	}
	for _, ci := range []func(func(string) string) (Ref, bool, error){bitbucket, github, gitlab} {
		ref, ok, err := ci(get)
		if ok || err != nil {
			return ref, err
		}
	}
	return gitRef(ctx, dir)
}

func bitbucket(get func(string) string) (Ref, bool, error) {
	if get("BITBUCKET_BUILD_NUMBER") == "" {
		return Ref{}, false, nil
	}
	const src = "Bitbucket Pipelines"
	switch {
	case get("BITBUCKET_PR_ID") != "":
		return Ref{Kind: PullRequest, PR: get("BITBUCKET_PR_ID"), Name: get("BITBUCKET_BRANCH"), Base: get("BITBUCKET_PR_DESTINATION_BRANCH"), Source: src}, true, nil
	case get("BITBUCKET_TAG") != "":
		return Ref{Kind: Tag, Name: get("BITBUCKET_TAG"), Source: src}, true, nil
	case get("BITBUCKET_BRANCH") != "":
		return Ref{Kind: Branch, Name: get("BITBUCKET_BRANCH"), Source: src}, true, nil
	}
	return Ref{}, true, fmt.Errorf("deploy: Bitbucket Pipelines sets none of BITBUCKET_PR_ID, BITBUCKET_TAG, BITBUCKET_BRANCH (a custom pipeline?): %w", ErrNoRef)
}

var pullRef = regexp.MustCompile(`^refs/pull/([0-9]+)/`)

func github(get func(string) string) (Ref, bool, error) {
	if get("GITHUB_ACTIONS") != "true" {
		return Ref{}, false, nil
	}
	const src = "GitHub Actions"
	if ev := get("GITHUB_EVENT_NAME"); ev == "pull_request" || ev == "pull_request_target" {
		m := pullRef.FindStringSubmatch(get("GITHUB_REF"))
		if m == nil {
			return Ref{}, true, fmt.Errorf("deploy: GitHub %s event without refs/pull/N in GITHUB_REF (%q): %w", ev, get("GITHUB_REF"), ErrNoRef)
		}
		return Ref{Kind: PullRequest, PR: m[1], Name: get("GITHUB_HEAD_REF"), Base: get("GITHUB_BASE_REF"), Source: src}, true, nil
	}
	name, typ := get("GITHUB_REF_NAME"), get("GITHUB_REF_TYPE")
	ref := get("GITHUB_REF")
	switch {
	case typ == "tag" && name != "":
		return Ref{Kind: Tag, Name: name, Source: src}, true, nil
	case typ == "branch" && name != "":
		return Ref{Kind: Branch, Name: name, Source: src}, true, nil
	case strings.HasPrefix(ref, "refs/tags/"):
		return Ref{Kind: Tag, Name: strings.TrimPrefix(ref, "refs/tags/"), Source: src}, true, nil
	case strings.HasPrefix(ref, "refs/heads/"):
		return Ref{Kind: Branch, Name: strings.TrimPrefix(ref, "refs/heads/"), Source: src}, true, nil
	}
	return Ref{}, true, fmt.Errorf("deploy: GitHub Actions sets no branch or tag (GITHUB_REF=%q): %w", ref, ErrNoRef)
}

func gitlab(get func(string) string) (Ref, bool, error) {
	if get("GITLAB_CI") != "true" {
		return Ref{}, false, nil
	}
	const src = "GitLab CI"
	switch {
	case get("CI_MERGE_REQUEST_IID") != "":
		return Ref{Kind: PullRequest, PR: get("CI_MERGE_REQUEST_IID"), Name: get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"), Base: get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"), Source: src}, true, nil
	case get("CI_COMMIT_TAG") != "":
		return Ref{Kind: Tag, Name: get("CI_COMMIT_TAG"), Source: src}, true, nil
	case get("CI_COMMIT_BRANCH") != "":
		return Ref{Kind: Branch, Name: get("CI_COMMIT_BRANCH"), Source: src}, true, nil
	case get("CI_COMMIT_REF_NAME") != "":
		return Ref{Kind: Branch, Name: get("CI_COMMIT_REF_NAME"), Source: src}, true, nil
	}
	return Ref{}, true, fmt.Errorf("deploy: GitLab CI sets none of CI_MERGE_REQUEST_IID, CI_COMMIT_TAG, CI_COMMIT_BRANCH: %w", ErrNoRef)
}

// gitRef asks git in dir for the checked-out branch, or the tag at a
// detached HEAD.
func gitRef(ctx context.Context, dir string) (Ref, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return Ref{}, fmt.Errorf("deploy: no CI variables and no git on PATH: %w", ErrNoRef)
	}
	run := func(args ...string) (string, bool, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", false, nil
		}
		if err != nil {
			return "", false, fmt.Errorf("deploy: git %s: %w", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(out.String()), true, nil
	}
	if _, ok, err := run("rev-parse", "--git-dir"); err != nil || !ok {
		if err != nil {
			return Ref{}, err
		}
		return Ref{}, fmt.Errorf("deploy: no CI variables and %s is not a git checkout: %w", dir, ErrNoRef)
	}
	if b, ok, err := run("symbolic-ref", "--short", "-q", "HEAD"); err != nil {
		return Ref{}, err
	} else if ok && b != "" {
		return Ref{Kind: Branch, Name: b, Source: "git"}, nil
	}
	if t, ok, err := run("describe", "--tags", "--exact-match", "HEAD"); err != nil {
		return Ref{}, err
	} else if ok && t != "" {
		return Ref{Kind: Tag, Name: t, Source: "git"}, nil
	}
	return Ref{}, fmt.Errorf("deploy: git HEAD is detached and no tag points at it; set CDW_BRANCH or CDW_TAG: %w", ErrNoRef)
}
