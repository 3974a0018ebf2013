package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/kvlambda/kvlambda/internal/faultproxy"
	"github.com/kvlambda/kvlambda/internal/linearizability"
	"github.com/kvlambda/kvlambda/internal/testservers"
	"github.com/kvlambda/kvlambda/kvstore"
	"github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// faultRates is the mix of faults: about one request in four meets one.
var faultRates = faultproxy.Rates{
	Throttle: 0.06, ServerError: 0.04, LostAnswer: 0.05, Cut: 0.05, Latency: 0.03, Unprocessed: 0.5,
	Spike: 150 * time.Millisecond, Seed: 13,
}

// faultyBackend returns a backend whose requests go through a fault proxy, with the
// SDK's default retryer (as in production), and a backend on the same table that
// talks to DynamoDB Local directly, to check the outcome.
func faultyBackend(t *testing.T) (faulty, direct *dynamodb.Backend, p *faultproxy.DynamoDB) {
	endpoint := testservers.DynamoDBLocal(t)
	client := testservers.NewDynamoDBClient(t, endpoint)
	table := testservers.NewDynamoDBTable(t, client)
	p = faultproxy.NewDynamoDB(t, endpoint, faultRates)
	proxied := awsdynamodb.New(awsdynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(p.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	faulty = dynamodb.NewBackend(proxied, table, dynamodb.WithBackoff(2*time.Millisecond, 40*time.Millisecond))
	return faulty, dynamodb.NewBackend(client, table), p
}

// ledger is what the workers were told, to compare with what the table holds.
type ledger struct {
	mu sync.Mutex
	// ops counts calls and results.
	calls, acked, unknown, refused int
	checks                         []ledgerCheck
}

// ledgerCheck checks one write's outcome against what its caller was told.
type ledgerCheck struct {
	what  string
	err   error
	check func(ctx context.Context, b *dynamodb.Backend, err error) (lost, dup, wrong int, cerr error)
}

// add records a write's error and the check of its outcome; check must use the error
// it is given, not a variable the caller reuses.
func (l *ledger) add(what string, err error, check func(ctx context.Context, b *dynamodb.Backend, err error) (lost, dup, wrong int, cerr error)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	switch linearizability.Classify(err) {
	case linearizability.Done:
		l.acked++
	case linearizability.Unknown:
		l.unknown++
	default:
		l.refused++
	}
	l.checks = append(l.checks, ledgerCheck{what, err, check})
}

// TestFaultsLoseNothingAndApplyNothingTwice runs writers of every kind through a
// proxy injecting throttling, server errors, lost answers, cut connections, latency
// spikes and unprocessed batch items, then reads the table directly: every
// acknowledged write is there, every write that failed without ErrOutcomeUnknown
// is not, nothing is applied twice, every batch result is accounted for, and a
// conditional write's answer is true.
func TestFaultsLoseNothingAndApplyNothingTwice(t *testing.T) {
	faulty, direct, p := faultyBackend(t)
	ctx := t.Context()
	const preloaded = 40
	for i := range preloaded {
		if err := direct.Set(ctx, "pre:"+strconv.Itoa(i), "v"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	p.Enable(true)
	var l ledger
	var batchReadsDropped, wrongAnswers int
	var mu sync.Mutex
	const workers, rounds = 4, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				id := fmt.Sprintf("%d:%d", w, i)
				callCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
				faultRound(callCtx, t, faulty, id, &l, func(dropped, wrong int) {
					mu.Lock()
					batchReadsDropped += dropped
					wrongAnswers += wrong
					mu.Unlock()
				})
				cancel()
			}
		}()
	}
	wg.Wait()
	p.Enable(false)

	var lost, dup, wrong int
	for _, c := range l.checks {
		lo, du, wr, err := c.check(ctx, direct, c.err)
		if err != nil {
			t.Fatal(err)
		}
		if lo+du+wr > 0 {
			t.Logf("%s (error %v): lost %d, applied twice %d, wrong %d", c.what, c.err, lo, du, wr)
		}
		lost, dup, wrong = lost+lo, dup+du, wrong+wr
	}
	wrong += wrongAnswers
	faults := p.Counts()
	t.Logf("faults on DynamoDB: %s over %d requests; %d writes (%d acknowledged, %d outcome unknown, %d refused); "+
		"acknowledged writes lost: %d; duplicates applied: %d; wrong answers or unreported writes: %d; batch results dropped: %d",
		faultproxy.FormatCounts(faults), total(p.Requests()), l.calls, l.acked, l.unknown, l.refused, lost, dup, wrong, batchReadsDropped)
	if lost+dup+wrong+batchReadsDropped > 0 {
		t.Errorf("lost %d acknowledged writes, applied %d twice, %d wrong answers or unreported writes, dropped %d batch results",
			lost, dup, wrong, batchReadsDropped)
	}
	for _, f := range []faultproxy.Fault{faultproxy.Throttle, faultproxy.ServerError, faultproxy.LostAnswer, faultproxy.Cut, faultproxy.Unprocessed} {
		if faults[f] == 0 {
			t.Errorf("no %v fault was injected: the test proves nothing about it", f)
		}
	}
	if l.unknown == 0 {
		t.Error("no write had an unknown outcome: the lost answers and cut connections were not seen")
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// counter reads a counter directly.
func counter(ctx context.Context, b *dynamodb.Backend, key string) (int64, error) {
	return b.NIncrBy(ctx, key, 0)
}

// expectCount compares a counter that one call incremented by n with what its
// caller was told.
func expectCount(got, n int64, err error) (lost, dup, wrong int) {
	switch {
	case got > n || (got != 0 && got != n):
		return 0, 1, 0 // applied twice (or more)
	case linearizability.Classify(err) == linearizability.Done && got != n:
		return 1, 0, 0
	case linearizability.Classify(err) == linearizability.Refused && got != 0:
		return 0, 0, 1 // a failure reported as definite, yet applied
	}
	return 0, 0, 0
}

// faultRound issues one write of every kind on fresh keys, and records checks.
func faultRound(ctx context.Context, t *testing.T, b *dynamodb.Backend, id string, l *ledger, report func(dropped, wrong int)) {
	// Set: acknowledged means present; a definite failure means absent.
	setKey := "set:" + id
	err := b.Set(ctx, setKey, "v"+id)
	l.add("Set "+setKey, err, func(ctx context.Context, d *dynamodb.Backend, err error) (int, int, int, error) {
		v, rerr := d.Get(ctx, setKey)
		switch c := linearizability.Classify(err); {
		case rerr != nil:
			return 0, 0, 0, rerr
		case c == linearizability.Done && (v == nil || *v != "v"+id):
			return 1, 0, 0, nil
		case c == linearizability.Refused && v != nil:
			return 0, 0, 1, nil
		}
		return 0, 0, 0, nil
	})

	// SetNX on a fresh key: true when it returns, even if the SDK had to retry.
	nxKey := "nx:" + id
	ok, err := b.SetNX(ctx, nxKey, "x")
	wrong := 0
	if err == nil && !ok {
		t.Logf("SetNX %s on a fresh key returned false: it was sent twice", nxKey)
		wrong++
	}
	l.add("SetNX "+nxKey, err, func(ctx context.Context, d *dynamodb.Backend, err error) (int, int, int, error) {
		v, rerr := d.Get(ctx, nxKey)
		switch c := linearizability.Classify(err); {
		case rerr != nil:
			return 0, 0, 0, rerr
		case c == linearizability.Done && v == nil:
			return 1, 0, 0, nil
		case c == linearizability.Refused && v != nil:
			return 0, 0, 1, nil
		}
		return 0, 0, 0, nil
	})

	// NIncrBy on a fresh counter: applied exactly once when acknowledged, at most once.
	incKey := "inc:" + id
	n, err := b.NIncrBy(ctx, incKey, 3)
	if err == nil && n != 3 {
		t.Logf("NIncrBy %s by 3 on a fresh counter returned %d", incKey, n)
		wrong++
	}
	l.add("NIncrBy "+incKey, err, func(ctx context.Context, d *dynamodb.Backend, err error) (int, int, int, error) {
		got, rerr := counter(ctx, d, incKey)
		if rerr != nil {
			return 0, 0, 0, rerr
		}
		lo, du, wr := expectCount(got, 3, err)
		return lo, du, wr, nil
	})

	// ZIncrBy on a fresh member.
	member := "m:" + id
	s, err := b.ZIncrBy(ctx, "zs", member, 2)
	if err == nil && s != 2 {
		t.Logf("ZIncrBy %s by 2 on a fresh member returned %v", member, s)
		wrong++
	}
	l.add("ZIncrBy "+member, err, func(ctx context.Context, d *dynamodb.Backend, err error) (int, int, int, error) {
		sc, rerr := d.ZScore(ctx, "zs", member)
		if rerr != nil {
			return 0, 0, 0, rerr
		}
		var got int64
		if sc != nil {
			got = int64(*sc)
		}
		lo, du, wr := expectCount(got, 2, err)
		return lo, du, wr, nil
	})

	// An atomic write of two increments and a string: all or nothing, once.
	aw := b.AtomicWrite()
	aw.NIncrBy("atx:a:"+id, 1)
	aw.NIncrBy("atx:b:"+id, 2)
	aw.Set("atx:c:"+id, "c")
	_, err = aw.Exec(ctx)
	l.add("atomic write "+id, err, func(ctx context.Context, d *dynamodb.Backend, err error) (int, int, int, error) {
		a, e1 := counter(ctx, d, "atx:a:"+id)
		bb, e2 := counter(ctx, d, "atx:b:"+id)
		c, e3 := d.Get(ctx, "atx:c:"+id)
		if e := errors.Join(e1, e2, e3); e != nil {
			return 0, 0, 0, e
		}
		lo1, du1, wr1 := expectCount(a, 1, err)
		lo2, du2, wr2 := expectCount(bb, 2, err)
		lost, dup, wr := lo1+lo2, du1+du2, wr1+wr2
		if (a == 1) != (c != nil) || (a == 1) != (bb == 2) {
			wr++ // half applied
		}
		return lost, dup, wr, nil
	})

	// A batch of 20 writes and 20 reads of preloaded keys: every result accounted for.
	batch := b.Batch()
	writes := make([]kvstore.ErrorResult, 20)
	for j := range writes {
		writes[j] = batch.Set(fmt.Sprintf("bat:%s:%d", id, j), "b")
	}
	reads := make([]kvstore.GetResult, 20)
	for j := range reads {
		reads[j] = batch.Get("pre:" + strconv.Itoa(j))
	}
	_ = batch.Exec(ctx) // each result holds its own error
	dropped := 0
	for j, r := range reads {
		v, rerr := r.Result()
		if rerr == nil && (v == nil || *v != "v"+strconv.Itoa(j)) {
			dropped++ // a read that succeeded without its value
		}
	}
	for j, r := range writes {
		key := fmt.Sprintf("bat:%s:%d", id, j)
		werr := r.Result()
		l.add("batch Set "+key, werr, func(ctx context.Context, d *dynamodb.Backend, err error) (int, int, int, error) {
			v, rerr := d.Get(ctx, key)
			if rerr != nil {
				return 0, 0, 0, rerr
			}
			if werr == nil && v == nil {
				return 1, 0, 0, nil
			}
			return 0, 0, 0, nil
		})
	}
	report(dropped, wrong)
}

// TestLinearizableUnderFaults runs the linearizability workload through the fault
// proxy: calls whose outcome is unknown are recorded as never returning, and the
// history must still be linearizable.
func TestLinearizableUnderFaults(t *testing.T) {
	faulty, _, p := faultyBackend(t)
	p.Enable(true)
	cfg := linearizability.Config{Clients: 4, OpsPerClient: 60, Atomic: true, Seed: 5, CallTimeout: 20 * time.Second}
	h := linearizability.Run(t.Context(), linearizability.NewBackendTarget(faulty, "lf:"), cfg)
	p.Enable(false)
	r := linearizability.Require(t, "dynamodb under faults ("+faultproxy.FormatCounts(p.Counts())+")", h)
	if r.Unknown == 0 {
		t.Log("no call had an unknown outcome this run")
	}
}
