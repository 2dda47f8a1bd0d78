package sqlstore

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/testutil/pgtest"
)

// planFilters are the ListUsers shapes whose plans must be index walks,
// with values that match part of the users planData loads.
var planFilters = []*store.UserFilter{
	nil,
	{Field: "email", Value: "u1000042@example.com"},
	{Field: "email", Op: store.FilterPrefix, Value: "u10001"},
	{Field: "family_name", Value: "f7"},
	{Field: "username", Value: "u1000042"},
	{Field: "username", Op: store.FilterPrefix, Value: "u10001"},
	{Field: "sub", Op: store.FilterPrefix, Value: "s10001"},
	{Field: "cognito:user_status", Value: "CONFIRMED"},
	{Field: "cognito:user_status", Op: store.FilterPrefix, Value: "UN"},
	{Field: "status", Value: "Enabled"},
}

// planData loads 20000 users into pool p with plain SQL (fast, and the same
// on both engines) and refreshes the planner's statistics, so that plans
// are those of a populated pool.
var planData = []string{
	`INSERT INTO pools (id, name) VALUES ('p', 'p')`,
	`INSERT INTO users (pool_id, username_key, username, sub, status, enabled, attributes, aliases)
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
		SELECT 'p', 'u' || (1000000 + i), 'u' || (1000000 + i), 's' || (1000000 + i),
			CASE WHEN i % 2 = 0 THEN 'CONFIRMED' ELSE 'UNCONFIRMED' END, i % 3 <> 0,
			'{"email":"u' || (1000000 + i) || '@example.com","family_name":"f' || (i % 100) || '"}', '{}'
		FROM n`,
	`INSERT INTO user_index (pool_id, username_key, name, value)
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
		SELECT 'p', 'u' || (1000000 + i), 'email', 'u' || (1000000 + i) || '@example.com' FROM n
		UNION ALL
		SELECT 'p', 'u' || (1000000 + i), 'family_name', 'f' || (i % 100) FROM n`,
	`ANALYZE`,
}

// explainUsers loads planData and returns the plan of every ListUsers
// shape, for the first page and for the second, by name.
func explainUsers(t *testing.T, s *Store, explain func(query string, args []any) string) map[string]string {
	t.Helper()
	for _, stmt := range planData {
		if _, err := s.db.ExecContext(t.Context(), stmt); err != nil {
			t.Fatalf("load plan data: %v", err)
		}
	}
	plans := map[string]string{}
	for _, f := range planFilters {
		name := "all users"
		if f != nil {
			name = f.Field + map[store.FilterOp]string{store.FilterEquals: " = ", store.FilterPrefix: " ^= "}[f.Op] + f.Value
		}
		_, next, err := s.ListUsers(t.Context(), "p", f, store.Page{Limit: 1})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, after := range []string{"", next} {
			l, err := s.userListing("p", f)
			if err != nil {
				t.Fatal(err)
			}
			q, args, err := l.query("p", after, 60)
			if err != nil {
				t.Fatal(err)
			}
			page := name
			if after != "" {
				page += " (page 2)"
			}
			plans[page] = explain(q, args)
		}
	}
	return plans
}

// Every ListUsers page is a seek into an index that yields rows in listing
// order: no table scan and no sort, whatever the pool's size.
func TestSQLitePlans(t *testing.T) {
	s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "plans.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plans := explainUsers(t, s, func(q string, args []any) string {
		rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, detail)
		}
		return strings.Join(lines, "\n")
	})
	for name, plan := range plans {
		for _, line := range strings.Split(plan, "\n") {
			// "SCAN i" reads the page the subquery produced; any other
			// SCAN is a table or index scan.
			if strings.Contains(line, "TEMP B-TREE") || (strings.HasPrefix(line, "SCAN ") && line != "SCAN i") {
				t.Errorf("%s:\n%s", name, plan)
				break
			}
		}
	}
}

// The same on PostgreSQL: no sort (the index delivers the page in order),
// no sequential scan, and no join that filters rather than looks up.
func TestPostgresPlans(t *testing.T) {
	s, err := OpenPostgres(t.Context(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plans := explainUsers(t, s, func(q string, args []any) string {
		rows, err := s.db.QueryContext(t.Context(), "EXPLAIN (COSTS OFF) "+s.d.rebind(q), args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, line)
		}
		return strings.Join(lines, "\n")
	})
	for name, plan := range plans {
		if strings.Contains(plan, "Sort") || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Join Filter") {
			t.Errorf("%s:\n%s", name, plan)
		}
	}
}
