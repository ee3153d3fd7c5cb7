package deploy

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Per-PR (ephemeral) schemas: a build for a pull request writes into a
// schema of its own (the ephemeral environment's target schema, e.g.
// cdw_pr_42, and the custom schemas built from it, cdw_pr_42_staging).
// Each use is recorded in a small registry table in the same database, so
// `cdw janitor` knows how old every such schema is and can drop the ones
// left behind. Only registered schemas are ever dropped.

// RegistrySchema and RegistryTable name the registry,
// cdw_meta.ephemeral_schemas(schema_name, environment, ref, created_at,
// last_used_at), timestamps in UTC.
const (
	RegistrySchema = "cdw_meta"
	RegistryTable  = "ephemeral_schemas"
)

// timeLayout is how times travel to the registry (as text cast to
// timestamp, the same on every engine).
const timeLayout = "2006-01-02 15:04:05"

func registry(d warehouse.Dialect) string {
	return d.QuoteRelation(warehouse.Relation{Schema: RegistrySchema, Name: RegistryTable})
}

// ensureRegistry creates the registry if it does not exist.
func ensureRegistry(ctx context.Context, a warehouse.Adapter) error {
	d := a.Dialect()
	for _, stmt := range []string{
		"create schema if not exists " + d.QuoteIdent(RegistrySchema),
		"create table if not exists " + registry(d) + " (schema_name varchar(256) not null, environment varchar(256), ref varchar(256), created_at timestamp not null, last_used_at timestamp not null)",
	} {
		if err := a.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("janitor registry: %w", err)
		}
	}
	return nil
}

// RegisterSchema records that schema (of environment env, built for ref)
// was used at now: a new row, or last_used_at moved forward. Safe to call
// on every connection to an ephemeral target; concurrent first calls may
// leave two rows for a schema, which the janitor treats as one.
func RegisterSchema(ctx context.Context, a warehouse.Adapter, schema, env, ref string, now time.Time) error {
	if schema == "" {
		return fmt.Errorf("janitor registry: empty schema name")
	}
	if err := ensureRegistry(ctx, a); err != nil {
		return err
	}
	reg := registry(a.Dialect())
	at := now.UTC().Format(timeLayout)
	err := a.InTx(ctx, func(tx warehouse.Conn) error {
		res, err := tx.Query(ctx, "select 1 from "+reg+" where schema_name = $1", 1, schema)
		if err != nil {
			return err
		}
		if len(res.Rows) > 0 {
			return tx.Exec(ctx, "update "+reg+" set last_used_at = cast($1 as timestamp), ref = $2 where schema_name = $3", at, ref, schema)
		}
		return tx.Exec(ctx, "insert into "+reg+" (schema_name, environment, ref, created_at, last_used_at) values ($1, $2, $3, cast($4 as timestamp), cast($4 as timestamp))", schema, env, ref, at)
	})
	if err != nil {
		return fmt.Errorf("janitor registry: record %s: %w", schema, err)
	}
	return nil
}

// Stale is a registered schema not used since LastUsed, with the schemas
// that would be dropped for it (itself and its custom schemas
// <schema>_<name> that exist).
type Stale struct {
	Schema      string
	Environment string
	Ref         string
	LastUsed    time.Time
	Drop        []string
}

// StaleSchemas lists registered schemas starting with prefix whose last
// use is older than now - olderThan, oldest first. prefix must not be
// empty. A missing registry means none.
func StaleSchemas(ctx context.Context, a warehouse.Adapter, prefix string, olderThan time.Duration, now time.Time) ([]Stale, error) {
	if prefix == "" {
		return nil, fmt.Errorf("janitor: empty schema prefix")
	}
	if err := ensureRegistry(ctx, a); err != nil {
		return nil, err
	}
	reg := registry(a.Dialect())
	cutoff := now.UTC().Add(-olderThan).Format(timeLayout)
	res, err := a.Query(ctx, "select schema_name, max(environment), max(ref), max(last_used_at) from "+reg+
		" group by schema_name having max(last_used_at) < cast($1 as timestamp) order by 4, 1", -1, cutoff)
	if err != nil {
		return nil, fmt.Errorf("janitor: list stale schemas: %w", err)
	}
	all, err := a.Query(ctx, "select schema_name from information_schema.schemata", -1)
	if err != nil {
		return nil, fmt.Errorf("janitor: list schemas: %w", err)
	}
	regAll, err := a.Query(ctx, "select distinct schema_name from "+reg, -1)
	if err != nil {
		return nil, fmt.Errorf("janitor: list registered schemas: %w", err)
	}
	registered := map[string]bool{}
	for _, r := range regAll.Rows {
		s, _ := r[0].(string)
		registered[s] = true
	}
	var out []Stale
	for _, r := range res.Rows {
		st := Stale{}
		st.Schema, _ = r[0].(string)
		st.Environment, _ = r[1].(string)
		st.Ref, _ = r[2].(string)
		st.LastUsed, _ = r[3].(time.Time)
		if !strings.HasPrefix(st.Schema, prefix) {
			continue
		}
		for _, sr := range all.Rows {
			name, _ := sr[0].(string)
			own := name == st.Schema || (strings.HasPrefix(name, st.Schema+"_") && !registered[name])
			if own && !slices.Contains(st.Drop, name) {
				st.Drop = append(st.Drop, name)
			}
		}
		slices.Sort(st.Drop)
		out = append(out, st)
	}
	return out, nil
}

// DropStale drops the schemas of st (CASCADE: everything in them) and its
// registry rows, in one transaction.
func DropStale(ctx context.Context, a warehouse.Adapter, st Stale) error {
	d := a.Dialect()
	err := a.InTx(ctx, func(tx warehouse.Conn) error {
		for _, s := range st.Drop {
			if err := tx.Exec(ctx, "drop schema if exists "+d.QuoteIdent(s)+" cascade"); err != nil {
				return err
			}
		}
		return tx.Exec(ctx, "delete from "+registry(d)+" where schema_name = $1", st.Schema)
	})
	if err != nil {
		return fmt.Errorf("janitor: drop %s: %w", st.Schema, err)
	}
	return nil
}

// ParseAge parses an age such as "7d", "36h", "90m" or "1d12h": Go
// durations plus whole days (d = 24h). It must be positive.
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var days int
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("invalid age %q (use e.g. 7d, 36h, 1d12h)", s)
		}
		days, s = n, s[i+1:]
	}
	var rest time.Duration
	if s != "" {
		var err error
		if rest, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("invalid age %q (use e.g. 7d, 36h, 1d12h)", s)
		}
	}
	d := time.Duration(days)*24*time.Hour + rest
	if d <= 0 {
		return 0, fmt.Errorf("age must be positive, got %s", d)
	}
	return d, nil
}
