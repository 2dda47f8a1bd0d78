package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"unicode/utf8"

	"github.com/cogito-idp/cogito/internal/store"
)

// defaultLimit is the page size when store.Page.Limit is not positive.
const defaultLimit = 60

// errBadCursor reports a Page.After this store did not issue for the
// listing. The message says nothing about the cursor's contents.
var errBadCursor = store.ErrBadCursor

// A cursor is the key of the last row of the previous page: its parts
// (uvarint length, then bytes, for each key column) in URL-safe base64.
// Length prefixes keep it exact for any bytes, which a separator would not.
func encodeCursor(parts []string) string {
	var b []byte
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns nil for "" (the first page) and otherwise exactly n
// parts.
func decodeCursor(s string, n int) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errBadCursor
	}
	parts := make([]string, 0, n)
	for len(b) > 0 {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, errBadCursor
		}
		parts = append(parts, string(b[k:k+int(l)]))
		b = b[k+int(l):]
	}
	if len(parts) != n {
		return nil, errBadCursor
	}
	return parts, nil
}

// keyset describes one page of a listing walked in key order. It renders to
// a WHERE … ORDER BY … LIMIT clause that an index on (fixed columns, keys…)
// answers with a single range scan in order: no sort and no OFFSET, so deep
// pages cost the same as the first.
type keyset struct {
	// where and args are the fixed conditions, e.g. pool_id = ?.
	where []string
	args  []any
	// keys are the ordering columns, most significant first; together with
	// the fixed conditions they identify a row.
	keys []string
	// At most one of eq and lo restricts keys[0]: equality, or the range
	// [lo, hi) (hi nil: unbounded) that a prefix filter becomes.
	eq, lo, hi *string
	// after is the decoded cursor: one value per key, nil on the first page.
	after []string
	// limit is the number of rows to fetch.
	limit int
}

// clause renders the keyset. It fails when the cursor lies outside the
// restriction on keys[0], which means it came from another listing.
func (k *keyset) clause() (string, []any, error) {
	conds := append([]string(nil), k.where...)
	args := append([]any(nil), k.args...)
	switch {
	case k.eq != nil:
		conds = append(conds, k.keys[0]+" = ?")
		args = append(args, *k.eq)
		if k.after != nil {
			if k.after[0] != *k.eq {
				return "", nil, errBadCursor
			}
			if len(k.keys) == 1 {
				// The only possible row was on the previous page.
				conds = append(conds, "1 = 0")
			} else {
				// keys[0] is fixed, so the remaining keys continue the walk;
				// spelling it so lets both engines seek straight to the
				// position within the equal run.
				c, a := rowAfter(k.keys[1:], k.after[1:])
				conds, args = append(conds, c), append(args, a...)
			}
		}
	case k.lo != nil:
		if k.after != nil {
			if k.after[0] < *k.lo || (k.hi != nil && k.after[0] >= *k.hi) {
				return "", nil, errBadCursor
			}
			// The cursor is within [lo, hi), so it replaces lo as the
			// lower bound; keeping both would let a planner seek to lo and
			// then filter its way to the cursor.
			c, a := rowAfter(k.keys, k.after)
			conds, args = append(conds, c), append(args, a...)
		} else {
			conds = append(conds, k.keys[0]+" >= ?")
			args = append(args, *k.lo)
		}
		if k.hi != nil {
			conds = append(conds, k.keys[0]+" < ?")
			args = append(args, *k.hi)
		}
	default:
		if k.after != nil {
			c, a := rowAfter(k.keys, k.after)
			conds, args = append(conds, c), append(args, a...)
		}
	}
	var b strings.Builder
	if len(conds) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(conds, " AND "))
	}
	b.WriteString(" ORDER BY ")
	b.WriteString(strings.Join(k.orderBy(), ", "))
	b.WriteString(" LIMIT ?")
	args = append(args, k.limit)
	return b.String(), args, nil
}

// orderBy is the listing's order. A leading key fixed by equality is left
// out: it changes nothing, and a planner that has to match it against the
// index, or against a subquery's order, may give up and sort instead.
func (k *keyset) orderBy() []string {
	if k.eq != nil && len(k.keys) > 1 {
		return k.keys[1:]
	}
	return k.keys
}

// rowAfter is the condition "(cols) > (vals)" in the row-value form both
// engines use as an index range start.
func rowAfter(cols, vals []string) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	if len(cols) == 1 {
		return cols[0] + " > ?", args
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	return "(" + strings.Join(cols, ", ") + ") > (" + marks + ")", args
}

// prefixEnd returns the least string above every string that starts with p,
// so that "starts with p" is the index range [p, end). ok is false when
// there is no such bound (p is empty or all 0xFF bytes): the range is then
// open above.
//
// The bound is p with its last byte incremented, dropping trailing 0xFF
// bytes that cannot be (the "carry"). Text in PostgreSQL must be valid
// UTF-8, though, and incrementing can break a sequence ("¿" is C2 BF, C2 C0
// is not UTF-8). When validUTF8 is set and that happens, the bound is
// instead p with its last code point incremented, dropping trailing
// U+10FFFF and stepping over the surrogates, which UTF-8 cannot encode.
// In valid UTF-8 byte order is code point order, so that bound is just as
// tight for the valid strings such a database can hold.
func prefixEnd(p string, validUTF8 bool) (end string, ok bool) {
	b := []byte(p)
	for len(b) > 0 && b[len(b)-1] == 0xFF {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return "", false
	}
	b[len(b)-1]++
	if !validUTF8 || utf8.Valid(b) || !utf8.ValidString(p) {
		// An invalid p cannot match anything in such a database; any bound
		// does, and the engine will reject it like it rejects p.
		return string(b), true
	}
	rs := []rune(p)
	for len(rs) > 0 && rs[len(rs)-1] == utf8.MaxRune {
		rs = rs[:len(rs)-1]
	}
	if len(rs) == 0 {
		return "", false
	}
	next := rs[len(rs)-1] + 1
	if next >= 0xD800 && next <= 0xDFFF {
		next = 0xE000
	}
	rs[len(rs)-1] = next
	return string(rs), true
}

// pageLimit is the number of items a page returns.
func pageLimit(p store.Page) int {
	if p.Limit <= 0 {
		return defaultLimit
	}
	return p.Limit
}

// list runs a keyset page query that selects limit+1 rows; the extra row,
// dropped, tells whether another page follows, so the last page carries no
// cursor. keyOf gives an item's key values (keyset.keys' order) for the
// cursor.
func list[T any](ctx context.Context, c conn, query string, args []any, limit int,
	scan func(rowScanner) (T, error), keyOf func(T) []string) ([]T, string, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	items := make([]T, 0, min(limit+1, defaultLimit+1))
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	return items, encodeCursor(keyOf(items[limit-1])), nil
}

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface {
	Scan(dest ...any) error
}

var _ rowScanner = (*sql.Row)(nil)
