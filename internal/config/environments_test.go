package config

import (
	"strings"
	"testing"
	"testing/fstest"
)

const envProject = `name: p
targets:
  local: {type: duckdb}
  ci:    {type: postgres, url: "postgres://x@h/db", schema: "${CDW_CI_SCHEMA:-cdw_ci_local}"}
  uat:   {type: postgres, host: "${CDW_UAT_HOST}", dbname: cdw}
  prod:  {type: redshift, host: "${CDW_PROD_HOST}", dbname: cdw}
environments:
  ci:
    target: ci
    pull_requests: true
    ephemeral: true
    schema_prefix: cdw_pr_
  uat:
    target: uat
    branches: [develop, "feature/*"]
    description: user acceptance
    vars: {account_limit: 24, sample_size: 1000}
    schedules:
      - name: evening
        cron: "0 18 * * *"
        run: ["build --select readings+"]
  prod:
    target: prod
    branches: [master]
    tags: ["v*"]
    protected: true
    landing:
      bucket: "${CDW_PROD_BUCKET}"
      iam_role: "arn:aws:iam::123456789012:role/cdw-copy"
      region: eu-west-1
`

func TestEnvironmentsRoutesAndLazySettings(t *testing.T) {
	env := map[string]string{}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	p, err := Load(fstest.MapFS{"project.yml": {Data: []byte(envProject)}}, LoadOptions{Env: lookup})
	if err != nil {
		t.Fatalf("Load must not need prod's variables: %v", err)
	}
	if !p.EnvironmentsDeclared() {
		t.Fatal("EnvironmentsDeclared = false")
	}
	var names []string
	for _, r := range p.EnvironmentRoutes() {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, ","); got != "ci,uat,prod" {
		t.Fatalf("routes in declaration order: %s", got)
	}
	r, ok := p.EnvironmentForTarget("prod")
	if !ok || r.Name != "prod" || !r.Protected || strings.Join(r.Tags, ",") != "v*" {
		t.Fatalf("EnvironmentForTarget(prod) = %+v %v", r, ok)
	}
	if _, ok := p.EnvironmentForTarget("local"); ok {
		t.Fatal("local belongs to no environment")
	}
	uat, err := p.Environment("uat")
	if err != nil {
		t.Fatal(err)
	}
	if uat.Vars["account_limit"] != 24 || uat.Description != "user acceptance" || len(uat.Schedules) != 1 ||
		uat.Schedules[0].Cron != "0 18 * * *" || uat.Schedules[0].Pos.Line != 19 {
		t.Fatalf("uat = %+v", uat)
	}
	if _, err := p.Environment("prod"); err == nil || !strings.Contains(err.Error(),
		"project.yml:28:15: environments.prod.landing.bucket: environment variable CDW_PROD_BUCKET is not set") {
		t.Fatalf("prod without its bucket variable: %v", err)
	}
	env["CDW_PROD_BUCKET"] = "cdw-landing-prod"
	prod, err := p.Environment("prod")
	if err != nil {
		t.Fatal(err)
	}
	if prod.Landing == nil || prod.Landing.Bucket != "cdw-landing-prod" || prod.Landing.Region != "eu-west-1" {
		t.Fatalf("prod landing = %+v", prod.Landing)
	}
	if _, err := p.Environment("prdo"); err == nil || !strings.Contains(err.Error(), `no environment named "prdo"; did you mean "prod"?`) {
		t.Fatalf("unknown environment: %v", err)
	}
}

func TestEnvironmentsDefaultWhenAbsent(t *testing.T) {
	p, err := Load(fstest.MapFS{"project.yml": {Data: []byte("name: p\ntargets:\n  local: {type: duckdb}\n")}}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.EnvironmentsDeclared() {
		t.Fatal("no section declared")
	}
	got := map[string]string{}
	for _, r := range p.EnvironmentRoutes() {
		got[r.Name] = r.Target + " " + strings.Join(r.Branches, "|") + " " + strings.Join(r.Tags, "|")
	}
	want := map[string]string{"uat": "uat develop ", "preprod": "preprod release/* ", "prod": "prod master|main v*"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("default %s = %q, want %q", k, got[k], v)
		}
	}
	if e, err := p.Environment("prod"); err != nil || e.Protected || e.Vars == nil {
		t.Fatalf("default prod = %+v, %v", e, err)
	}
}

func TestEnvironmentsProblems(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown target", "  uat: {target: uatt}\n", `project.yml:5:17: environments.uat.target: no target named "uatt"; did you mean "uat"?`},
		{"missing target", "  uat: {branches: [develop]}\n", `project.yml:5:8: environments.uat: missing required key "target"`},
		{"env ref in routing", "  uat: {target: uat, branches: [\"${BRANCH}\"]}\n", "project.yml:5:32: environments.uat.branches: environment references are not allowed in routing keys"},
		{"bad pattern", "  uat: {target: uat, branches: [\"release/[\"]}\n", `environments.uat.branches[0]: "release/[" is not a valid pattern`},
		{"bad cron", "  uat:\n    target: uat\n    schedules: [{name: x, cron: \"0 25 * * *\", run: [build]}]\n", `project.yml:7:33: environments.uat.schedules[0].cron: "0 25 * * *": hour "25" is outside 0-23`},
		{"unknown key", "  uat: {target: uat, protect: true}\n", `project.yml:5:22: environments.uat.protect: unknown key; did you mean "protected"?`},
		{"bad name", "  UAT: {target: uat}\n", `"UAT" is not a valid environment name`},
		{"not a mapping", "  - uat\n", "environments: expected a mapping of environment names to environments"},
		{"ephemeral without prefix", "  uat: {target: uat, ephemeral: true}\n", "project.yml:5:8: environments.uat: ephemeral environments need schema_prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "name: p\ntargets:\n  uat: {type: duckdb}\nenvironments:\n" + tc.yaml
			_, err := Load(fstest.MapFS{"project.yml": {Data: []byte(src)}}, LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant it to contain %s", err, tc.want)
			}
		})
	}
}

func TestCheckCron(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"0 18 * * *", ""},
		{"*/15 0-6,18 1 1-12/2 0,7", ""},
		{"18 12 15 * *", ""},
		{"0 18 * *", "has 5 fields"},
		{"60 * * * *", `minute "60" is outside 0-59`},
		{"0 * 0 * *", `day of month "0" is outside 1-31`},
		{"0 * * * mon", `day of week "mon" is not a number`},
		{"*/0 * * * *", `minute step "0" is not a positive number`},
		{"5-1 * * * *", `minute "5-1" is outside 0-59`},
	} {
		got := CheckCron(tc.expr)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("CheckCron(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}
