package hostedui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/cogito-idp/cogito/internal/oauth"
)

//go:embed assets
var assetFS embed.FS

// asset is an embedded file with the version that makes its URL change
// whenever its content does, so browsers may cache it.
type asset struct {
	data        []byte
	contentType string
	version     string
}

var assets = func() map[string]asset {
	out := map[string]asset{}
	entries, err := assetFS.ReadDir("assets")
	if err != nil {
		panic(err)
	}
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
	for _, e := range entries {
		data, err := assetFS.ReadFile("assets/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(data)
		ct := types[path.Ext(e.Name())]
		if ct == "" {
			ct = http.DetectContentType(data)
		}
		out[e.Name()] = asset{data: data, contentType: ct, version: hex.EncodeToString(sum[:6])}
	}
	return out
}()

// assetURL is the versioned path of an embedded asset on the site.
func assetURL(site *oauth.Site, name string) string {
	return basePath(site) + "/_assets/" + name + "?v=" + assets[name].version
}

// serveAsset is GET /_assets/{file}: the stylesheet and the small script.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := assets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", strconv.Quote(a.version))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
}

// logo is GET /_logo/{client}: the pool's customization image for the
// client (or the pool-wide one).
func (h *Handler) logo(w http.ResponseWriter, r *http.Request, site *oauth.Site) {
	ct, data, err := h.Pools.UIImage(r.Context(), site.Pool.ID, r.PathValue("client"))
	if err != nil || len(data) == 0 {
		http.NotFound(w, r)
		return
	}
	// Only raster images: never anything a browser would run.
	if ct != "image/png" && ct != "image/jpeg" {
		if ct = http.DetectContentType(data); ct != "image/png" && ct != "image/jpeg" {
			http.NotFound(w, r)
			return
		}
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Content-Disposition", "inline")
	_, _ = w.Write(data)
}
