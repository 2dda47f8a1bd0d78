package userpool

import (
	"sync"
	"time"
)

// cacheTTL bounds how long a decoded pool or client is reused. Every
// request reads its pool and client, and decoding a pool's settings costs
// more than the rest of a GetUser; writes through this Service drop the
// entry at once, and other nodes see a change within this time.
const cacheTTL = time.Second

// cache keeps decoded pools and clients briefly. It is safe to lose.
type cache struct {
	mu      sync.Mutex
	pools   map[string]cacheEntry[Pool]
	clients map[string]cacheEntry[Client]
}

type cacheEntry[T any] struct {
	v       T
	expires time.Time
}

func (c *cache) pool(id string) (*Pool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.pools[id]
	if !ok || !time.Now().Before(e.expires) {
		return nil, false
	}
	p := e.v // a copy: callers may change top-level fields
	return &p, true
}

func (c *cache) putPool(p *Pool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pools == nil || len(c.pools) > 10000 {
		c.pools = map[string]cacheEntry[Pool]{}
	}
	c.pools[p.ID] = cacheEntry[Pool]{v: *p, expires: time.Now().Add(cacheTTL)}
}

func (c *cache) client(id string) (*Client, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.clients[id]
	if !ok || !time.Now().Before(e.expires) {
		return nil, false
	}
	cl := e.v
	return &cl, true
}

func (c *cache) putClient(cl *Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.clients == nil || len(c.clients) > 10000 {
		c.clients = map[string]cacheEntry[Client]{}
	}
	c.clients[cl.ID] = cacheEntry[Client]{v: *cl, expires: time.Now().Add(cacheTTL)}
}

// forgetPool drops a pool and, since a pool's changes (resource servers,
// deletion) reach its clients, every cached client.
func (c *cache) forgetPool(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pools, id)
	c.clients = nil
}

func (c *cache) forgetClient(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.clients, id)
}
