package linearizability

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// Target runs one call against the system under test and returns its result.
// Implementations must be safe for concurrent use.
type Target interface {
	Do(ctx context.Context, in Input) Output
}

// Config sizes a workload. Zero fields take the defaults.
type Config struct {
	// Clients is how many goroutines issue calls at once (default 6).
	Clients int
	// OpsPerClient is how many calls each client issues (default 150).
	OpsPerClient int
	// Keys is how many keys the calls touch, at most MaxKeys (default 4).
	Keys int
	// Atomic enables atomic writes of up to KeysPerGroup operations.
	Atomic bool
	// Seed makes the choice of calls reproducible (the interleaving is not).
	Seed uint64
	// CallTimeout bounds each call (default 10s).
	CallTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.Clients <= 0 {
		c.Clients = 6
	}
	if c.OpsPerClient <= 0 {
		c.OpsPerClient = 150
	}
	if c.Keys <= 0 {
		c.Keys = 4
	}
	c.Keys = min(c.Keys, MaxKeys)
	if c.CallTimeout <= 0 {
		c.CallTimeout = 10 * time.Second
	}
	return c
}

// Run issues cfg.Clients × cfg.OpsPerClient calls on target from concurrent clients
// and returns their history. It stops early when ctx ends.
func Run(ctx context.Context, target Target, cfg Config) *History {
	cfg = cfg.withDefaults()
	h := NewHistory()
	var wg sync.WaitGroup
	for c := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := newGenerator(cfg, c)
			for range cfg.OpsPerClient {
				if ctx.Err() != nil {
					return
				}
				in := g.next()
				callCtx, cancel := context.WithTimeout(ctx, cfg.CallTimeout)
				call := h.Now()
				out := target.Do(callCtx, in)
				ret := h.Now()
				cancel()
				h.Record(c, in, out, call, ret)
				g.observe(in, out)
			}
		}()
	}
	wg.Wait()
	return h
}

// generator chooses one client's calls. It remembers the last value it saw at each
// key, so that its SetEQ calls often hold (compare-and-set loops), and writes
// values unique to the client and call, so that a stale read cannot pass for a
// fresh one.
type generator struct {
	cfg    Config
	client int
	seq    int
	rnd    *rand.Rand
	seen   [MaxKeys]string
}

func newGenerator(cfg Config, client int) *generator {
	return &generator{cfg: cfg, client: client, rnd: rand.New(rand.NewPCG(cfg.Seed, uint64(client)+1))}
}

// value returns a fresh value: a decimal integer, so that NIncrBy applies to it.
func (g *generator) value() string {
	g.seq++
	return strconv.Itoa((g.client+1)*10_000_000 + g.seq*1000)
}

// old returns the value a SetEQ expects: usually the last one seen.
func (g *generator) old(key int) string {
	if g.seen[key] != "" && g.rnd.IntN(5) > 0 {
		return g.seen[key]
	}
	return strconv.Itoa((g.rnd.IntN(g.cfg.Clients)+1)*10_000_000 + g.rnd.IntN(g.seq+1)*1000)
}

// step returns a random single-key write on key.
func (g *generator) write(key int) Step {
	switch r := g.rnd.IntN(100); {
	case r < 25:
		return Step{Kind: Set, Key: key, Value: g.value()}
	case r < 40:
		return Step{Kind: SetNX, Key: key, Value: g.value()}
	case r < 65:
		return Step{Kind: SetEQ, Key: key, Value: g.value(), Old: g.old(key)}
	case r < 77:
		return Step{Kind: Delete, Key: key}
	default:
		n := int64(g.rnd.IntN(5) + 1)
		if g.rnd.IntN(4) == 0 {
			n = -n
		}
		return Step{Kind: Incr, Key: key, N: n}
	}
}

func (g *generator) next() Input {
	key := g.rnd.IntN(g.cfg.Keys)
	r := g.rnd.IntN(100)
	switch {
	case r < 35:
		return Input{Step: Step{Kind: Get, Key: key}}
	case g.cfg.Atomic && r < 47:
		first := key - key%KeysPerGroup
		var ops []Step
		for k := first; k < min(first+KeysPerGroup, g.cfg.Keys); k++ {
			if len(ops) == 0 || g.rnd.IntN(4) > 0 {
				ops = append(ops, g.write(k))
			}
		}
		return Input{Step: Step{Kind: Atomic, Key: first}, Ops: ops}
	}
	return Input{Step: g.write(key)}
}

// observe remembers what a call showed of its keys.
func (g *generator) observe(in Input, out Output) {
	if out.Outcome != Done {
		return
	}
	switch in.Kind {
	case Get:
		g.seen[in.Key] = out.Value
	case Set, SetNX, SetEQ:
		if in.Kind == Set || out.OK {
			g.seen[in.Key] = in.Value
		}
	case Incr:
		g.seen[in.Key] = strconv.FormatInt(out.N, 10)
	case Atomic:
		if out.OK {
			for _, st := range in.Ops {
				if st.Kind == Set || st.Kind == SetNX || st.Kind == SetEQ {
					g.seen[st.Key] = st.Value
				}
			}
		}
	}
}
