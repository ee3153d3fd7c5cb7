package template

import (
	"fmt"
	"maps"
	"slices"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// dbtVersion is what dbt_version renders: the dbt release whose Jinja
// context cdw follows.
const dbtVersion = "1.8.0"

// install puts the dbt-style builtins into a render's context.
func (s *state) install(c *exec.Context) {
	c.Set("none", nil)
	c.Set("None", nil)
	c.Set("should_store_failures", func() bool {
		v, _ := s.configValue("store_failures")
		b, _ := v.(bool)
		return b
	})
	c.Set("ref", s.ref)
	c.Set("source", s.source)
	c.Set("config", s.configObject())
	c.Set("var", s.varFn)
	c.Set("env_var", s.envVar)
	c.Set("is_incremental", func() bool { return s.ctx.IsIncremental })
	c.Set("this", relValue(s.ctx.This))
	target := map[string]any{}
	maps.Copy(target, s.e.opts.TargetExtra)
	target["name"], target["type"] = s.ctx.Target.Name, s.ctx.Target.Type
	target["schema"], target["threads"] = s.ctx.Target.Schema, s.ctx.Target.Threads
	c.Set("target", target)
	c.Set("run_started_at", runStartedAt(s.ctx.RunStartedAt))
	c.Set("invocation_id", s.ctx.InvocationID)
	c.Set("log", s.log)
	c.Set("print", s.print)
	c.Set("exceptions", exceptions{s})
	c.Set("return", s.returnFn)
	c.Set("adapter", adapter{s})
	c.Set("execute", s.ctx.Query != nil)
	c.Set("run_query", s.runQuery)
	c.Set("statement", s.statement)
	c.Set("load_result", s.loadResult)
	c.Set("doc", s.doc)
	c.Set("project_name", s.e.opts.ProjectName)
	c.Set("dbt_version", dbtVersion)
	c.Set("tojson", s.toJSON)
	c.Set("fromjson", s.fromJSON)
	if s.node != nil {
		c.Set("model", s.node.Model())
	}
}

func (s *state) ref(args *exec.VarArgs) (any, error) {
	for k := range args.KwArgs {
		if k == "v" || k == "version" {
			return nil, s.fail("ref(): model versions are not supported by cdw")
		}
		return nil, s.fail("ref() takes no keyword argument %q", k)
	}
	var name string
	switch {
	case len(args.Args) == 1 && args.Args[0].IsString():
		name = args.Args[0].String()
	case len(args.Args) == 2 && args.Args[0].IsString() && args.Args[1].IsString():
		pkg := args.Args[0].String()
		name = args.Args[1].String()
		if pkg != s.e.opts.ProjectName {
			if _, isPkg := s.e.opts.Packages[pkg]; isPkg {
				return nil, s.fail("ref(%q, %q): cdw does not build the models of package %s", pkg, name, pkg)
			}
			return nil, s.fail("ref(%q, %q): no project or package named %q", pkg, name, pkg)
		}
	default:
		return nil, s.fail("ref() takes one model name, e.g. ref('readings')")
	}
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
	return relValue(rel), nil
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
	return relValue(rel), nil
}

func (s *state) configFn(args *exec.VarArgs) (any, error) {
	if len(args.Args) == 1 && args.Args[0].IsDict() && len(args.KwArgs) == 0 {
		// config({'materialized': 'table'}), as dbt also accepts.
		m, ok := args.Args[0].ToGoSimpleType(false).(map[string]any)
		if !ok {
			return nil, s.fail("config(): expected a mapping of config keys")
		}
		maps.Copy(s.config, m)
		return "", nil
	}
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

// configFunc is `config`: a function, config(key=value, ...), with dbt's
// attributes config.get(key, default) and config.require(key), which read
// the node's config (and this render's own config() calls, which win).
// Called with nil it returns its render's state: a func value carries no
// other data for GetAttribute to reach (templates always pass arguments).
type configFunc func(*exec.VarArgs) (any, error)

func (s *state) configObject() configFunc {
	return func(args *exec.VarArgs) (any, error) {
		if args == nil {
			return s, nil
		}
		return s.configFn(args)
	}
}

// GetAttribute implements config.get and config.require.
func (c configFunc) GetAttribute(name string) (*exec.Value, bool) {
	v, _ := c(nil)
	s, ok := v.(*state)
	if !ok {
		return exec.AsValue(nil), false
	}
	switch name {
	case "get":
		return exec.AsValue(func(args *exec.VarArgs) (any, error) {
			if len(args.Args) < 1 || !args.Args[0].IsString() {
				return nil, s.fail("config.get() takes a config name and an optional default")
			}
			if v, ok := s.configValue(args.Args[0].String()); ok {
				return v, nil
			}
			if len(args.Args) > 1 {
				return args.Args[1].Interface(), nil
			}
			if d, ok := args.KwArgs["default"]; ok {
				return d.Interface(), nil
			}
			return nil, nil
		}), true
	case "require":
		return exec.AsValue(func(key string) (any, error) {
			if v, ok := s.configValue(key); ok {
				return v, nil
			}
			return nil, s.fail("config.require(%q): the model does not set %s", key, key)
		}), true
	}
	return exec.AsValue(fmt.Errorf("config has no attribute %q", name)), false
}

// configValue is the value of a config key: from this render's config()
// calls, else from the node's config.
func (s *state) configValue(key string) (any, bool) {
	if v, ok := s.config[key]; ok {
		return v, true
	}
	if s.node != nil {
		v, ok := s.node.Config[key]
		return v, ok
	}
	return nil, false
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
	return nil, s.fail("var %q is not defined in the project's vars or --vars, and no default was given", name)
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
	case "raise_compiler_error", "raise_database_error", "raise_fail_fast_error":
		return exec.AsValue(func(msg string) (any, error) {
			return nil, x.s.fail("%s", msg)
		}), true
	case "warn":
		return exec.AsValue(func(msg string) string {
			x.s.say("warning: " + msg)
			return ""
		}), true
	}
	return exec.AsValue(fmt.Errorf("exceptions has no attribute %q", name)), false
}
