package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cogito-idp/cogito/internal/store"
)

// Times are stored as unix milliseconds, the precision Cognito reports, and
// the zero time as NULL so that "never" (say, no password set yet) survives
// the round trip.
func millis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMillis(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// text binds an opaque JSON document as TEXT, nil as NULL. Binding a
// []byte would make it a BLOB on SQLite and bytea on PostgreSQL.
func text(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// blob binds opaque bytes, empty as NULL.
func blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nonEmpty maps an empty byte slice read back from the database to nil, so
// that "none" has one representation.
func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func encodeMap(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// decodeMap never returns nil, so callers (UpdateUser's fn in particular)
// can assign into the map without checking.
func decodeMap(s string) (map[string]string, error) {
	m := map[string]string{}
	if s == "" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, err
	}
	if m == nil { // the document was JSON null
		m = map[string]string{}
	}
	return m, nil
}

// secretJSON is a client secret as kept in clients.secrets.
type secretJSON struct {
	ID      string `json:"id"`
	Value   string `json:"value"`
	Created *int64 `json:"created,omitempty"` // nil: zero time
}

func encodeSecrets(ss []store.ClientSecret) (string, error) {
	out := make([]secretJSON, len(ss))
	for i, sec := range ss {
		out[i] = secretJSON{ID: sec.ID, Value: sec.Value}
		if !sec.Created.IsZero() {
			ms := sec.Created.UnixMilli()
			out[i].Created = &ms
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		// Plain strings always encode; keep any message away from the values.
		return "", fmt.Errorf("sqlstore: encode client secrets: %T", err)
	}
	return string(b), nil
}

func decodeSecrets(s string) ([]store.ClientSecret, error) {
	var in []secretJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		// Syntax errors quote no input, but a secret is in this document:
		// report only that it is damaged.
		return nil, fmt.Errorf("sqlstore: client secrets column is not valid JSON")
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]store.ClientSecret, len(in))
	for i, sec := range in {
		out[i] = store.ClientSecret{ID: sec.ID, Value: sec.Value}
		if sec.Created != nil {
			out[i].Created = time.UnixMilli(*sec.Created).UTC()
		}
	}
	return out, nil
}
