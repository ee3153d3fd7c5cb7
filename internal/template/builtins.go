package template

import (
	"fmt"
	"slices"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// install puts the dbt-style builtins into a render's context.
func (s *state) install(c *exec.Context) {
	c.Set("ref", s.ref)
	c.Set("source", s.source)
	c.Set("config", s.configFn)
	c.Set("var", s.varFn)
	c.Set("env_var", s.envVar)
	c.Set("is_incremental", func() bool { return s.ctx.IsIncremental })
	c.Set("this", s.ctx.This)
	c.Set("target", map[string]any{
		"name": s.ctx.Target.Name, "type": s.ctx.Target.Type,
		"schema": s.ctx.Target.Schema, "threads": s.ctx.Target.Threads,
	})
	c.Set("run_started_at", s.ctx.RunStartedAt.UTC().Format("2006-01-02 15:04:05.000000+00:00"))
	c.Set("invocation_id", s.ctx.InvocationID)
	c.Set("log", func(args *exec.VarArgs) string { return "" })
	c.Set("exceptions", exceptions{s})
}

func (s *state) ref(args *exec.VarArgs) (any, error) {
	if len(args.Args) != 1 || !args.Args[0].IsString() {
		return nil, s.fail("ref() takes one model name, e.g. ref('readings')")
	}
	name := args.Args[0].String()
	if s.ctx.Resolver == nil {
		return nil, s.fail("ref(%q) is not available here", name)
	}
	rel, err := s.ctx.Resolver.Ref(name)
	if err != nil {
		return nil, s.fail("%v", err)
	}
	if !slices.Contains(s.refs, name) {
		s.refs = append(s.refs, name)
	}
	return rel, nil
}

func (s *state) source(args *exec.VarArgs) (any, error) {
	if len(args.Args) != 2 || !args.Args[0].IsString() || !args.Args[1].IsString() {
		return nil, s.fail("source() takes a source and a table name, e.g. source('raw', 'd0010_readings')")
	}
	src, tbl := args.Args[0].String(), args.Args[1].String()
	if s.ctx.Resolver == nil {
		return nil, s.fail("source(%q, %q) is not available here", src, tbl)
	}
	rel, err := s.ctx.Resolver.Source(src, tbl)
	if err != nil {
		return nil, s.fail("%v", err)
	}
	pair := [2]string{src, tbl}
	if !slices.Contains(s.srcs, pair) {
		s.srcs = append(s.srcs, pair)
	}
	return rel, nil
}

func (s *state) configFn(args *exec.VarArgs) (any, error) {
	if len(args.Args) > 0 {
		return nil, s.fail("config() takes keyword arguments only, e.g. config(materialized='table')")
	}
	for k, v := range args.KwArgs {
		g := v.ToGoSimpleType(false)
		if err, ok := g.(error); ok {
			return nil, s.fail("config(%s=...): %v", k, err)
		}
		s.config[k] = g
	}
	return "", nil
}

func (s *state) varFn(args *exec.VarArgs) (any, error) {
	if len(args.Args) < 1 || len(args.Args) > 2 || !args.Args[0].IsString() {
		return nil, s.fail("var() takes a name and an optional default, e.g. var('days', 7)")
	}
	name := args.Args[0].String()
	s.vars[name] = true
	if v, ok := s.ctx.Vars[name]; ok {
		return v, nil
	}
	if len(args.Args) == 2 {
		return args.Args[1].Interface(), nil
	}
	return nil, s.fail("var %q is not defined in project.yml vars or --vars, and no default was given", name)
}

func (s *state) envVar(args *exec.VarArgs) (any, error) {
	if len(args.Args) < 1 || len(args.Args) > 2 || !args.Args[0].IsString() {
		return nil, s.fail("env_var() takes a name and an optional default, e.g. env_var('USER', 'cdw')")
	}
	name := args.Args[0].String()
	s.envVars[name] = true
	if s.ctx.Env != nil {
		if v, ok := s.ctx.Env(name); ok {
			return v, nil
		}
	}
	if len(args.Args) == 2 {
		return args.Args[1].String(), nil
	}
	return nil, s.fail("environment variable %s is not set and env_var() has no default", name)
}

// exceptions is the `exceptions` namespace: raise_compiler_error and warn.
type exceptions struct{ s *state }

func (x exceptions) GetAttribute(name string) (*exec.Value, bool) {
	switch name {
	case "raise_compiler_error":
		return exec.AsValue(func(msg string) (any, error) {
			return nil, x.s.fail("%s", msg)
		}), true
	case "warn":
		return exec.AsValue(func(msg string) string { return "" }), true
	}
	return exec.AsValue(fmt.Errorf("exceptions has no attribute %q", name)), false
}
