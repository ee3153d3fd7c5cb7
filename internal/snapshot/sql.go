package snapshot

import (
	"fmt"
	"strings"

	"github.com/cdw-dev/cdw/internal/config"
	"github.com/cdw-dev/cdw/internal/warehouse"
)

// Meta columns a snapshot table carries after the source's columns (dbt's
// names, so tools and habits carry over). IsDeleted exists only with
// hard_deletes: new_record.
const (
	ColSCDID     = "dbt_scd_id"
	ColUpdatedAt = "dbt_updated_at"
	ColValidFrom = "dbt_valid_from"
	ColValidTo   = "dbt_valid_to"
	ColIsDeleted = "dbt_is_deleted"
)

// MetaColumns lists the meta columns of a snapshot with the given
// hard-delete policy, in table order.
func MetaColumns(hardDeletes string) []string {
	cols := []string{ColSCDID, ColUpdatedAt, ColValidFrom, ColValidTo}
	if hardDeletes == config.HardDeletesNewRecord {
		cols = append(cols, ColIsDeleted)
	}
	return cols
}

// Suffixes of the scratch tables beside the snapshot table.
const (
	suffixSource  = "__cdw_snap_src"
	suffixChanges = "__cdw_snap_chg"
	suffixDeleted = "__cdw_snap_del"
)

// builder writes the statements of one snapshot run. cols are the
// source's columns (as the staged source spells them); compare are the
// columns whose change makes a new version (check strategy).
type builder struct {
	s       warehouse.Statements
	spec    Spec
	rel     warehouse.Relation
	src     warehouse.Relation
	chg     warehouse.Relation
	del     warehouse.Relation
	cols    []string
	key     []string
	compare []string
}

func (b *builder) q(name string) string { return b.s.QuoteIdent(name) }

func (b *builder) list(prefix string, names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = prefix + b.q(n)
	}
	return strings.Join(parts, ", ")
}

// now is the run's snapshot time as a timestamp literal.
func (b *builder) now() string {
	return "cast(" + b.s.QuoteString(b.spec.Now.UTC().Format("2006-01-02 15:04:05.999999")) + " as timestamp)"
}

// validFrom is the time a source row's version starts: its updated_at
// (timestamp strategy) or the run's time (check).
func (b *builder) validFrom(alias string) string {
	if b.spec.Strategy == config.SnapshotTimestamp {
		return alias + "." + b.q(b.spec.UpdatedAt)
	}
	return b.now()
}

// scdID hashes the key and the version's start: unique per version.
func (b *builder) scdID(alias, from string) string {
	parts := make([]string, 0, len(b.key)+1)
	for _, k := range b.key {
		parts = append(parts, fmt.Sprintf("coalesce(cast(%s.%s as text), '')", alias, b.q(k)))
	}
	parts = append(parts, fmt.Sprintf("coalesce(cast(%s as text), '')", from))
	return "md5(" + strings.Join(parts, " || '|' || ") + ")"
}

// keyMatch joins two aliases on the key, null-safely.
func (b *builder) keyMatch(l, r string) string {
	parts := make([]string, len(b.key))
	for i, k := range b.key {
		parts[i] = fmt.Sprintf("%s.%s is not distinct from %s.%s", l, b.q(k), r, b.q(k))
	}
	return strings.Join(parts, " and ")
}

// current selects the snapshot's current rows.
func (b *builder) current() string {
	return fmt.Sprintf("select * from %s where %s is null", b.s.QuoteRelation(b.rel), b.q(ColValidTo))
}

// create builds the first version of the table from the staged source.
func (b *builder) create() string {
	from := b.validFrom("src")
	to := "cast(null as timestamp)"
	if b.spec.Strategy == config.SnapshotTimestamp {
		to = fmt.Sprintf("nullif(%s, %s)", from, from) // a NULL of updated_at's own type
	}
	sel := fmt.Sprintf("select %s,\n    %s as %s,\n    %s as %s,\n    %s as %s,\n    %s as %s",
		b.list("src.", b.cols), b.scdID("src", from), b.q(ColSCDID), from, b.q(ColUpdatedAt),
		from, b.q(ColValidFrom), to, b.q(ColValidTo))
	if b.spec.HardDeletes == config.HardDeletesNewRecord {
		sel += ",\n    false as " + b.q(ColIsDeleted)
	}
	return sel + "\nfrom " + b.s.QuoteRelation(b.src) + " as src"
}

// changes stages the source rows that start a new version: new keys,
// changed rows, and (new_record) keys back after a deletion.
func (b *builder) changes() string {
	from := b.validFrom("src")
	curCols := append(append([]string{}, b.key...), ColUpdatedAt)
	for _, c := range b.compare {
		if !containsFold(b.s, curCols, c) {
			curCols = append(curCols, c)
		}
	}
	if b.spec.HardDeletes == config.HardDeletesNewRecord {
		curCols = append(curCols, ColIsDeleted)
	}
	var changed []string
	if b.spec.Strategy == config.SnapshotTimestamp {
		changed = []string{fmt.Sprintf("%s > cur.%s", from, b.q(ColUpdatedAt))}
	} else {
		for _, c := range b.compare {
			changed = append(changed, fmt.Sprintf("src.%s is distinct from cur.%s", b.q(c), b.q(c)))
		}
	}
	if b.spec.HardDeletes == config.HardDeletesNewRecord {
		changed = append(changed, "cur."+b.q(ColIsDeleted))
	}
	return fmt.Sprintf(`create table %s as
select %s,
    %s as %s,
    %s as %s,
    %s as %s,
    case when cur.cdw_found is null then 'new' else 'changed' end as cdw_change
from %s as src
left join (select %s, 1 as cdw_found from (%s) as c) as cur
    on %s
where cur.cdw_found is null
    or %s`,
		b.s.QuoteRelation(b.chg), b.list("src.", b.cols),
		b.scdID("src", from), b.q(ColSCDID), from, b.q(ColUpdatedAt), from, b.q(ColValidFrom),
		b.s.QuoteRelation(b.src), b.list("c.", curCols), b.current(), b.keyMatch("src", "cur"),
		strings.Join(changed, "\n    or "))
}

// deleted stages the current rows whose key is gone from the source.
func (b *builder) deleted() string {
	notDeleted := ""
	if b.spec.HardDeletes == config.HardDeletesNewRecord {
		notDeleted = fmt.Sprintf(" and not coalesce(cur.%s, false)", b.q(ColIsDeleted))
	}
	return fmt.Sprintf(`create table %s as
select cur.* from (%s) as cur
where not exists (select 1 from %s as src where %s)%s`,
		b.s.QuoteRelation(b.del), b.current(), b.s.QuoteRelation(b.src), b.keyMatch("src", "cur"), notDeleted)
}

// close ends the current version of every key in staged (a changes or
// deleted table) at the time expression to (evaluated per staged row).
func (b *builder) close(staged warehouse.Relation, to string) string {
	return fmt.Sprintf(`update %s as snap
set %s = %s
from %s as st
where snap.%s is null and %s`,
		b.s.QuoteRelation(b.rel), b.q(ColValidTo), to, b.s.QuoteRelation(staged), b.q(ColValidTo), b.keyMatch("snap", "st"))
}

// insertChanges adds the new versions staged by changes.
func (b *builder) insertChanges() string {
	target := append(append([]string{}, b.cols...), ColSCDID, ColUpdatedAt, ColValidFrom)
	values := b.list("", target)
	if b.spec.HardDeletes == config.HardDeletesNewRecord {
		target = append(target, ColIsDeleted)
		values += ", false"
	}
	return fmt.Sprintf("insert into %s (%s)\nselect %s from %s",
		b.s.QuoteRelation(b.rel), b.list("", target), values, b.s.QuoteRelation(b.chg))
}

// insertDeletions adds a deletion marker row per deleted key (new_record).
func (b *builder) insertDeletions(snapCols []string) string {
	now := b.now()
	var data []string
	for _, c := range snapCols {
		if !isMeta(c) {
			data = append(data, c)
		}
	}
	target := append(append([]string{}, data...), ColSCDID, ColUpdatedAt, ColValidFrom, ColIsDeleted)
	return fmt.Sprintf("insert into %s (%s)\nselect %s,\n    %s, %s, %s, true\nfrom %s as d",
		b.s.QuoteRelation(b.rel), b.list("", target), b.list("d.", data), b.scdID("d", now), now, now, b.s.QuoteRelation(b.del))
}

func isMeta(c string) bool {
	switch strings.ToLower(c) {
	case ColSCDID, ColUpdatedAt, ColValidFrom, ColValidTo, ColIsDeleted:
		return true
	}
	return false
}

func containsFold(s warehouse.Statements, list []string, name string) bool {
	for _, x := range list {
		if s.SameIdentifier(x, name) {
			return true
		}
	}
	return false
}
