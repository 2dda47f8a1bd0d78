package userpool

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/cogito-idp/cogito/internal/errs"
)

// pageByKey pages through settings kept inside a pool's document (resource
// servers, identity providers): ordered by key, the token is the last key
// returned. It returns copies made by clone.
func pageByKey[T any](items []T, key func(*T) string, clone func(*T) *T, limit int, token string) ([]T, string, error) {
	after := ""
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) == 0 {
			return nil, "", errs.Param("Invalid pagination token.")
		}
		after = string(b)
	}
	all := slices.Clone(items)
	slices.SortFunc(all, func(a, b T) int { return strings.Compare(key(&a), key(&b)) })
	start := 0
	if after != "" {
		start, _ = slices.BinarySearchFunc(all, after, func(t T, k string) int { return strings.Compare(key(&t), k) })
		if start < len(all) && key(&all[start]) == after {
			start++
		}
	}
	end := min(start+limit, len(all))
	page := all[start:end]
	next := ""
	if end < len(all) && len(page) > 0 {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(&page[len(page)-1])))
	}
	out := make([]T, 0, len(page))
	for i := range page {
		out = append(out, *clone(&page[i]))
	}
	return out, next, nil
}
