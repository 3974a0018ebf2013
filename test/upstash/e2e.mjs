// End-to-end test of kvlambda's data API with the real @upstash/redis client.
//
// Run by the Go test TestUpstashClient (events/httpapi), which starts the API on a
// loopback port and passes KVLAMBDA_URL, KVLAMBDA_TOKEN and KVLAMBDA_READONLY_TOKEN.
// By hand: KVLAMBDA_URL=http://127.0.0.1:8080 KVLAMBDA_TOKEN=... node e2e.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";

const url = process.env.KVLAMBDA_URL;
const token = process.env.KVLAMBDA_TOKEN;
const readonlyToken = process.env.KVLAMBDA_READONLY_TOKEN;
if (!url || !token) {
  console.error("KVLAMBDA_URL and KVLAMBDA_TOKEN must be set");
  process.exit(2);
}

// Each test works on its own keys, so tests may share one server.
const prefix = `e2e:${process.pid}:${Date.now()}`;
const key = (name) => `${prefix}:${name}`;
const client = (opts = {}) =>
  new Redis({ url, token, retry: false, enableTelemetry: false, ...opts });

const redis = client();

test("strings: set, get, conditions, counters, mset/mget, del, exists", async () => {
  const k = key("s");
  assert.equal(await redis.set(k, "hello"), "OK");
  assert.equal(await redis.get(k), "hello");
  assert.equal(await redis.set(k, "again", { nx: true }), null);
  assert.equal(await redis.set(k, "there", { xx: true }), "OK");
  assert.equal(await redis.set(k, "new", { get: true }), "there");
  assert.equal(await redis.get(k), "new");
  assert.equal(await redis.setnx(k, "x"), 0);
  assert.equal(await redis.setnx(key("s2"), "x"), 1);

  // JSON values round-trip through the client's serializer.
  await redis.set(key("obj"), { a: 1, b: [true, "x"] });
  assert.deepEqual(await redis.get(key("obj")), { a: 1, b: [true, "x"] });

  const n = key("n");
  assert.equal(await redis.incr(n), 1);
  assert.equal(await redis.incrby(n, 41), 42);
  assert.equal(await redis.decr(n), 41);
  assert.equal(await redis.decrby(n, 40), 1);
  assert.equal(await redis.get(n), 1);

  assert.equal(await redis.mset({ [key("m1")]: "a", [key("m2")]: "b" }), "OK");
  assert.deepEqual(await redis.mget(key("m1"), key("m2"), key("missing")), ["a", "b", null]);
  assert.equal(await redis.exists(key("m1"), key("m2"), key("missing")), 2);
  assert.equal(await redis.del(key("m1"), key("m2"), key("missing")), 2);
  assert.equal(await redis.exists(key("m1")), 0);
});

test("errors: WRONGTYPE and not-an-integer reach the client", async () => {
  const k = key("err");
  await redis.set(k, "text");
  await assert.rejects(redis.sadd(k, "a"), /WRONGTYPE/);
  await assert.rejects(redis.incr(k), /ERR value is not an integer or out of range/);
  await assert.rejects(redis.zadd(key("errz"), { score: 1, member: "m" }, { score: "nope", member: "x" }), /ERR value is not a valid float/);
});

test("hashes", async () => {
  const h = key("h");
  assert.equal(await redis.hset(h, { name: "ada", age: 36 }), 2);
  assert.equal(await redis.hset(h, { age: 37, lang: "en" }), 1);
  assert.equal(await redis.hget(h, "name"), "ada");
  assert.equal(await redis.hget(h, "age"), 37);
  assert.deepEqual(await redis.hgetall(h), { name: "ada", age: 37, lang: "en" });
  assert.deepEqual(await redis.hmget(h, "name", "lang", "nope"), { name: "ada", lang: "en", nope: null });
  assert.equal(await redis.hexists(h, "name"), 1);
  assert.equal(await redis.hlen(h), 3);
  assert.equal(await redis.hsetnx(h, "name", "bob"), 0);
  assert.equal(await redis.hsetnx(h, "city", "london"), 1);
  assert.equal(await redis.hdel(h, "lang", "city", "nope"), 2);
  assert.equal(await redis.hgetall(key("nohash")), null);
});

test("sets", async () => {
  const s = key("set");
  assert.equal(await redis.sadd(s, "a", "b", "a"), 2);
  assert.equal(await redis.sadd(s, "b", "c"), 1);
  assert.deepEqual((await redis.smembers(s)).sort(), ["a", "b", "c"]);
  assert.equal(await redis.sismember(s, "a"), 1);
  assert.equal(await redis.sismember(s, "z"), 0);
  assert.equal(await redis.scard(s), 3);
  assert.equal(await redis.srem(s, "a", "z"), 1);
  assert.equal(await redis.scard(s), 2);
});

test("sorted sets: scores, ranges with scores, lex", async () => {
  const z = key("z");
  assert.equal(
    await redis.zadd(z, { score: 1, member: "a" }, { score: 2.5, member: "b" }, { score: 1e21, member: "c" }),
    3,
  );
  assert.equal(await redis.zadd(z, { nx: true }, { score: 9, member: "a" }, { score: -0.5, member: "d" }), 1);
  assert.equal(await redis.zadd(z, { ch: true }, { score: 3, member: "b" }), 1);
  assert.equal(await redis.zadd(z, { incr: true }, { score: 0.5, member: "a" }), 1.5);
  assert.equal(await redis.zscore(z, "b"), 3);
  assert.equal(await redis.zscore(z, "nope"), null);
  assert.deepEqual(await redis.zmscore(z, ["a", "nope", "c"]), [1.5, null, 1e21]);
  assert.equal(await redis.zincrby(z, 2, "d"), 1.5);
  assert.equal(await redis.zcard(z), 4);
  assert.equal(await redis.zcount(z, "(1.5", "+inf"), 2);

  assert.deepEqual(await redis.zrange(z, 0, -1), ["a", "d", "b", "c"]);
  assert.deepEqual(await redis.zrange(z, 0, -1, { withScores: true }), ["a", 1.5, "d", 1.5, "b", 3, "c", 1e21]);
  assert.deepEqual(await redis.zrange(z, -2, -1, { rev: true }), ["d", "a"]);
  assert.deepEqual(await redis.zrange(z, "(1.5", "+inf", { byScore: true, withScores: true }), ["b", 3, "c", 1e21]);
  assert.deepEqual(await redis.zrange(z, "+inf", "-inf", { byScore: true, rev: true, offset: 1, count: 2 }), ["b", "d"]);

  const lex = key("lex");
  await redis.zadd(lex, ...["a", "b", "c", "d"].map((member) => ({ score: 0, member })));
  assert.deepEqual(await redis.zrange(lex, "[b", "(d", { byLex: true }), ["b", "c"]);
  assert.deepEqual(await redis.zrange(lex, "+", "-", { byLex: true, rev: true, offset: 0, count: 2 }), ["d", "c"]);
  assert.equal(await redis.zlexcount(lex, "-", "+"), 4);
  assert.equal(await redis.zrem(lex, "a", "b", "nope"), 2);
  assert.deepEqual(await redis.zrange(lex, 0, -1), ["c", "d"]);
});

test("auto-pipelining sends concurrent calls together", async () => {
  const auto = client({ enableAutoPipelining: true });
  const k = key("auto");
  const before = auto.pipelineCounter;
  const results = await Promise.all([
    auto.set(`${k}:1`, "one"),
    auto.set(`${k}:2`, "two"),
    auto.incr(`${k}:n`),
    auto.get(`${k}:1`),
    auto.get(`${k}:none`),
    auto.zadd(`${k}:z`, { score: 1, member: "m" }),
    auto.zscore(`${k}:z`, "m"),
  ]);
  assert.deepEqual(results.slice(0, 3), ["OK", "OK", 1]);
  assert.equal(results[5], 1);
  assert.ok(auto.pipelineCounter - before <= 2, `expected at most 2 pipelines, got ${auto.pipelineCounter - before}`);
  // One failing command does not fail its neighbours.
  const [bad, good] = await Promise.allSettled([auto.incr(`${k}:1`), auto.get(`${k}:2`)]);
  assert.equal(bad.status, "rejected");
  assert.match(String(bad.reason), /not an integer/);
  assert.equal(good.value, "two");
});

test("pipeline()", async () => {
  const k = key("pipe");
  const res = await redis
    .pipeline()
    .set(`${k}:a`, "1")
    .get(`${k}:a`)
    .incr(`${k}:a`)
    .hset(`${k}:h`, { f: "v" })
    .hgetall(`${k}:h`)
    .sadd(`${k}:s`, "x", "y")
    .zadd(`${k}:z`, { score: 2, member: "two" }, { score: 1, member: "one" })
    .zrange(`${k}:z`, 0, -1, { withScores: true })
    .exec();
  assert.deepEqual(res, ["OK", 1, 2, 1, { f: "v" }, 2, 2, ["one", 1, "two", 2]]);

  const kept = await redis.pipeline().set(`${k}:t`, "x").incr(`${k}:t`).get(`${k}:t`).exec({ keepErrors: true });
  assert.equal(kept[0].result, "OK");
  assert.match(kept[1].error, /ERR value is not an integer/);
  assert.equal(kept[2].result, "x");
});

test("multi(): committed", async () => {
  const k = key("tx");
  await redis.set(`${k}:n`, "10");
  const res = await redis
    .multi()
    .set(`${k}:a`, "1")
    .set(`${k}:b`, "2", { nx: true })
    .incr(`${k}:n`)
    .hsetnx(`${k}:h`, "f", "v")
    .zadd(`${k}:z`, { nx: true }, { score: 1, member: "m" })
    .mset({ [`${k}:c`]: "3", [`${k}:d`]: "4" })
    .exec();
  assert.deepEqual(res, ["OK", "OK", 11, 1, 1, "OK"]);
  assert.deepEqual(await redis.mget(`${k}:a`, `${k}:b`, `${k}:c`, `${k}:n`), [1, 2, 3, 11]);
});

test("multi(): aborted by a failed condition writes nothing", async () => {
  const k = key("txabort");
  await redis.set(`${k}:taken`, "old");
  const tx = () => redis.multi().set(`${k}:a`, "1").set(`${k}:taken`, "new", { nx: true }).incr(`${k}:n`);
  await assert.rejects(tx().exec(), /EXECABORT/);
  const res = await tx().exec({ keepErrors: true });
  assert.match(res[0].error, /^EXECABORT Transaction discarded because a condition failed/);
  assert.equal(res[1].error, undefined);
  assert.equal(res[1].result, null);
  assert.match(res[2].error, /^EXECABORT/);
  assert.deepEqual(await redis.mget(`${k}:a`, `${k}:taken`, `${k}:n`), [null, "old", null]);

  // A read cannot be part of an atomic write: refused, nothing written.
  await assert.rejects(redis.multi().set(`${k}:a`, "1").get(`${k}:a`).exec(), /EXECABORT/);
  assert.equal(await redis.get(`${k}:a`), null);
});

test("responses with and without base64 encoding", async () => {
  const plain = client({ responseEncoding: false });
  const k = key("enc");
  const value = "héllo wörld ✓ \"quoted\" \\ back\tslash OK";
  await redis.set(k, value);
  assert.equal(await redis.get(k), value);
  assert.equal(await plain.get(k), value);
  await plain.set(`${k}:ok`, "OK");
  assert.equal(await redis.get(`${k}:ok`), "OK");
  assert.equal(await plain.get(`${k}:ok`), "OK");
  await plain.zadd(`${k}:z`, { score: 1.5e-7, member: "tiny" });
  assert.deepEqual(await plain.zrange(`${k}:z`, 0, -1, { withScores: true }), ["tiny", 1.5e-7]);
  assert.deepEqual(await redis.zrange(`${k}:z`, 0, -1, { withScores: true }), ["tiny", 1.5e-7]);
  assert.equal(await plain.ping(), "PONG");
  assert.equal(await redis.ping(), "PONG");
  assert.equal(await redis.echo("echo ✓"), "echo ✓");
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("expiry: set with ex is gone after it expires", async () => {
  const k = key("ex");
  assert.equal(await redis.set(k, "soon", { ex: 1 }), "OK");
  assert.equal(await redis.get(k), "soon");
  assert.ok([0, 1].includes(await redis.ttl(k)));
  await sleep(1500);
  assert.equal(await redis.get(k), null);
  assert.equal(await redis.ttl(k), -2);
  assert.equal(await redis.exists(k), 0);
});

test("expiry: expire, ttl, pttl, persist, getex, getdel, setex", async () => {
  const k = key("ttl");
  const inRange = (v, lo, hi) => assert.ok(v > lo && v <= hi, `${v} not in (${lo}, ${hi}]`);
  await redis.set(k, "v");
  assert.equal(await redis.ttl(k), -1);
  assert.equal(await redis.pttl(k), -1);
  assert.equal(await redis.expire(k, 100), 1);
  inRange(await redis.ttl(k), 90, 100);
  inRange(await redis.pttl(k), 90000, 100000);
  assert.equal(await redis.expire(k, 50, "GT"), 0);
  assert.equal(await redis.expire(k, 50, "LT"), 1);
  inRange(await redis.ttl(k), 40, 50);
  assert.equal(await redis.persist(k), 1);
  assert.equal(await redis.persist(k), 0);
  assert.equal(await redis.ttl(k), -1);
  assert.equal(await redis.getex(k, { ex: 30 }), "v");
  inRange(await redis.ttl(k), 20, 30);
  assert.equal(await redis.getex(k, { px: 20000 }), "v");
  inRange(await redis.pttl(k), 10000, 20000);
  assert.equal(await redis.getex(k, { persist: true }), "v");
  assert.equal(await redis.ttl(k), -1);
  assert.equal(await redis.getex(key("nope")), null);
  assert.equal(await redis.expire(key("nope"), 10), 0);
  assert.equal(await redis.ttl(key("nope")), -2);
  assert.equal(await redis.pexpire(k, 1), 1);
  await sleep(50);
  assert.equal(await redis.get(k), null);

  assert.equal(await redis.setex(k, 100, "w"), "OK");
  inRange(await redis.ttl(k), 90, 100);
  assert.equal(await redis.getdel(k), "w");
  assert.equal(await redis.get(k), null);
  await assert.rejects(redis.set(k, "v", { ex: 0 }), /ERR invalid expire time in 'set' command/);

  const [a, b, c] = await redis
    .multi()
    .set(`${k}:tx`, "v", { nx: true, px: 100000 })
    .setex(`${k}:tx2`, 100, "w")
    .expire(`${k}:nope`, 100)
    .exec();
  assert.deepEqual([a, b, c], ["OK", "OK", 0]);
  inRange(await redis.pttl(`${k}:tx`), 90000, 100000);
  const [p1, p2] = await redis.pipeline().ttl(`${k}:tx2`).persist(`${k}:tx2`).exec();
  inRange(p1, 90, 100);
  assert.equal(p2, 1);
});

test("expiry: the lock idiom has one winner, and the lock frees when it expires", async () => {
  const k = key("lock");
  const clients = Array.from({ length: 20 }, () => client());
  const race = (who) => Promise.all(who.map((i) => clients[i].set(k, `holder-${i}`, { nx: true, px: 500 })));
  const all = clients.map((_, i) => i);
  const first = await race(all);
  const winners = all.filter((i) => first[i] === "OK");
  assert.equal(winners.length, 1, `winners: ${winners}`);
  assert.ok(first.every((r) => r === "OK" || r === null));
  assert.ok((await redis.pttl(k)) <= 500);

  await sleep(600);
  const losers = all.filter((i) => i !== winners[0]);
  const second = await race(losers);
  const next = losers.filter((_, j) => second[j] === "OK");
  assert.equal(next.length, 1, `second winners: ${next}`);
  assert.notEqual(next[0], winners[0]);
});

test("a wrong token is refused", async () => {
  const bad = new Redis({ url, token: "wrong-token", retry: false, enableTelemetry: false });
  await assert.rejects(bad.get(key("x")), /Unauthorized/);
});

test("a read-only token reads but cannot write", { skip: !readonlyToken }, async () => {
  const k = key("ro");
  await redis.set(k, "v");
  const ro = client({ token: readonlyToken });
  assert.equal(await ro.get(k), "v");
  await assert.rejects(ro.set(k, "w"), /NOPERM/);
  assert.equal(await redis.get(k), "v");
});
