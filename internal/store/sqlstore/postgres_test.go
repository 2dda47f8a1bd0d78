package sqlstore_test

import (
	"sync"
	"testing"

	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/store/storetest"
	"github.com/cogito-idp/cogito/internal/testutil/pgtest"
)

func openPostgres(t testing.TB, url string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.OpenPostgres(t.Context(), url)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	return s
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openPostgres(t, pgtest.New(t)) })
}

// Processes starting together migrate one database once, without errors.
func TestPostgresConcurrentOpen(t *testing.T) {
	url := pgtest.New(t)
	const n = 4
	stores := make([]*sqlstore.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = sqlstore.OpenPostgres(t.Context(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("OpenPostgres %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	if err := stores[0].CreatePool(t.Context(), &store.Pool{ID: "p", Name: "p"}); err != nil {
		t.Fatalf("CreatePool: %v", err)
	}
	if _, err := stores[n-1].GetPool(t.Context(), "p"); err != nil {
		t.Fatalf("GetPool through another store: %v", err)
	}
}
