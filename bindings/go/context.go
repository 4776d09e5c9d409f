package rootly

import (
	"runtime"
	"sync"
	"time"

	"librootly.dev/rootly/internal/raw"
)

// Context is the engine: one storage backend, a clock and a default actor.
// Its methods may be called from any goroutine; they are serialised.
type Context struct {
	mu    sync.Mutex
	h     raw.Rootly_ctx
	store *storeAdapter // a Go store: kept alive (and its director) until Close
	// Go transports: their directors are deleted after the context is freed
	transports []*transportAdapter
	clock      *clockAdapter
}

// Options are everything a context is opened with.
type Options struct {
	Storage string       // storage URI ("memory:", "sqlite:PATH"; "" : sqlite:rootly.db)
	Store   Store        // a Go store, used instead of Storage
	Actor   string       // recorded when a call names none ("" : "system")
	Clock   func() int64 // the current time in ms (nil: the system clock)
}

// clockAdapter implements rootly_swig::ClockBackend over a func.
type clockAdapter struct {
	fn       func() int64
	director raw.ClockBackend
}

// Raw_now implements rootly_swig::ClockBackend.
func (a *clockAdapter) Raw_now() (t int64) {
	defer func() {
		if recover() != nil { // a clock cannot fail: the system time instead
			t = time.Now().UnixMilli()
		}
	}()
	return a.fn()
}

// OpenWith opens a context with every option.
func OpenWith(o Options) (*Context, error) {
	c := &Context{}
	var store raw.StoreBackend = raw.SwigcptrStoreBackend(0)
	var clock raw.ClockBackend = raw.SwigcptrClockBackend(0)
	if o.Store != nil {
		c.store = newStoreAdapter(o.Store)
		store = c.store.director
	}
	if o.Clock != nil {
		c.clock = &clockAdapter{fn: o.Clock}
		c.clock.director = raw.NewDirectorClockBackend(c.clock)
		clock = c.clock.director
	}
	err := onThread(func() error {
		h := raw.Rootly_go_ctx_open_ex(o.Storage, store, clock, o.Actor)
		if h.Swigcptr() == 0 {
			return failed()
		}
		c.h = h
		return nil
	})
	if err != nil {
		c.releaseHost()
		return nil, err
	}
	runtime.SetFinalizer(c, (*Context).Close)
	return c, nil
}

// Open opens a context on a storage URI: "memory:", "sqlite:PATH" ("" is
// the library default, sqlite:rootly.db). actor is recorded on timeline
// events when a call names none ("" means "system").
func Open(storage, actor string) (*Context, error) {
	return OpenWith(Options{Storage: storage, Actor: actor})
}

// OpenStore opens a context whose storage is s, a backend written in Go.
// The context uses s until Close returns.
func OpenStore(s Store, actor string) (*Context, error) {
	return OpenWith(Options{Store: s, Actor: actor})
}

// Close frees the context and its storage (a Go store's Close runs). It
// is idempotent and always returns nil.
func (c *Context) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h != nil {
		h := c.h
		c.h = nil
		_ = onThread(func() error {
			raw.DeleteRootly_ctx(h)
			return nil
		})
	}
	c.releaseHost()
	runtime.SetFinalizer(c, nil)
	return nil
}

// releaseHost deletes the directors of Go objects the C side used; only
// once the context is freed (conventions §10.12).
func (c *Context) releaseHost() {
	if c.store != nil {
		c.store.release()
		c.store = nil
	}
	for _, t := range c.transports {
		t.release()
	}
	c.transports = nil
	if c.clock != nil {
		raw.DeleteDirectorClockBackend(c.clock.director)
		c.clock = nil
	}
}

// do runs fn with the context locked, open, and on one OS thread.
func (c *Context) do(fn func(h raw.Rootly_ctx) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h == nil {
		return ErrClosed
	}
	return onThread(func() error { return fn(c.h) })
}

// st runs a call that returns a status.
func (c *Context) st(fn func(h raw.Rootly_ctx) int) error {
	return c.do(func(h raw.Rootly_ctx) error { return lastError(fn(h)) })
}

// Now is the context's clock (ms since the epoch).
func (c *Context) Now() (t int64, err error) {
	err = c.do(func(h raw.Rootly_ctx) error { t = raw.Rootly_ctx_now(h); return nil })
	return
}

// SetActor changes the default actor.
func (c *Context) SetActor(actor string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_ctx_set_actor(h, actor) })
}

// AddRole makes an incident role assignable (commander,
// communications_lead and scribe are by default).
func (c *Context) AddRole(role string) error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_ctx_add_role(h, role) })
}

// Check checks the store and verifies every incident's timeline.
func (c *Context) Check() error {
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_ctx_check(h) })
}

// Batch runs fn inside one storage transaction (group commit): committed
// when fn returns nil, rolled back when it returns an error or panics. fn
// must use the same Context (its calls are allowed inside).
func (c *Context) Batch(fn func() error) (err error) {
	if err = c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_ctx_batch_begin(h) }); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_ = c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_ctx_batch_rollback(h) })
		}
	}()
	if err = fn(); err != nil {
		return err
	}
	done = true
	return c.st(func(h raw.Rootly_ctx) int { return raw.Rootly_ctx_batch_commit(h) })
}

// Configure gives the context a copy of cfg (nil: back to the defaults).
func (c *Context) Configure(cfg *Config) error {
	return c.st(func(h raw.Rootly_ctx) int {
		if cfg == nil {
			return raw.Rootly_go_ctx_set_config(h, "", "", "")
		}
		return raw.Rootly_go_ctx_set_config(h, "", cfg.body, cfg.format)
	})
}
