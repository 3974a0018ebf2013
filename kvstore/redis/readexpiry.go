package redis

import (
	"context"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore/internal/expiryreport"
)

// A read cache (kvstore/cache) puts an expiryreport.Report in the context of the reads
// it sends on a miss, and caches a read's result only until what it read expires.
// Then, and only then, a read carries a PTTL of the Redis key it reads (the value's,
// or the sorted set's for sorted reads) in the same round trip, just before the read
// (the range script returns the PTTL itself), and records the expiry as the local
// time taken before sending plus the PTTL: never later than the true expiry. A PTTL
// sent after the read could see the key expire just after the read saw it alive, and
// report no expiry for a value that had one.

// expiryProbe is a PTTL sent for a read whose context carries a report.
type expiryProbe struct {
	key    string
	sorted bool
	cmd    *goredis.IntCmd
}

// newExpiryProbe returns a PTTL of key's Redis key of kind (valueKey or zsetKey).
func (b *Backend) newExpiryProbe(ctx context.Context, key string, kind int) expiryProbe {
	return expiryProbe{key: key, sorted: kind == zsetKey,
		cmd: goredis.NewIntCmd(ctx, "pttl", b.redisKey(key, kind))}
}

// record notes the probe's answer in rep; sent is the local time in Unix ms taken
// before the round trip. A failed PTTL records nothing: the read is then not cached.
func (p expiryProbe) record(rep *expiryreport.Report, sent int64) {
	pttl, err := p.cmd.Result()
	if err != nil {
		return
	}
	rep.Record(p.key, p.sorted, expiryAt(sent, pttl))
}

// expiryAt converts a PTTL answer received for a round trip sent at sent (local Unix
// ms) into an expiry: 0 for no expiry (-1) or an absent key (-2).
func expiryAt(sent, pttl int64) int64 {
	if pttl < 0 {
		return 0
	}
	return sent + pttl
}

// readRoundTrip sends cmd, a read of key's Redis key of kind (valueKey or zsetKey),
// as roundTrip does; when ctx carries an expiry report, a PTTL of that Redis key goes
// in the same round trip, and its answer to the report.
func (b *Backend) readRoundTrip(ctx context.Context, key string, kind int, cmd goredis.Cmder) error {
	rep := expiryreport.FromContext(ctx)
	if rep == nil {
		return b.roundTrip(ctx, cmd)
	}
	p := b.newExpiryProbe(ctx, key, kind)
	sent := time.Now().UnixMilli()
	if err := b.roundTrip(ctx, p.cmd, cmd); err != nil {
		return err
	}
	p.record(rep, sent)
	return nil
}

// recordScriptPTTL records, for a range script run with its PTTL argument at sent
// (local Unix ms), the PTTL the script appended to its reply, and returns the reply
// without it. A reply without a readable PTTL records nothing.
func recordScriptPTTL(rep *expiryreport.Report, key string, sent int64, vals []string) []string {
	if len(vals) == 0 {
		return vals
	}
	last := len(vals) - 1
	if pttl, err := strconv.ParseInt(vals[last], 10, 64); err == nil {
		rep.Record(key, true, expiryAt(sent, pttl))
	}
	return vals[:last]
}
