// Package kvstoretest is the conformance suite of package kvstore: the one definition
// of "behaves the same on every backend". Every backend (memory, Redis, DynamoDB) and
// every wrapper (read cache, profiler, eventual consistency) runs it, and so can
// backends written elsewhere.
//
// Run it from a test in your backend's package:
//
//	func TestConformance(t *testing.T) {
//		kvstoretest.Run(t, func(t *testing.T) kvstore.Backend {
//			return mybackend.NewBackend(newClient(t)) // fresh, or shared: both work
//		})
//	}
//
// Run calls newBackend once per area of the suite (strings, sets, batches, ...). It
// may return a fresh store each time (a new DynamoDB table, a new memory backend) or
// the same shared one: every case works under its own random key prefix
// (RandomKey), so cases never see each other's data. Areas run in parallel (at most
// -test.parallel at a time, GOMAXPROCS by default); Run returns only after all of them
// have finished, so a deferred cleanup after Run is safe.
//
// The Expiry area checks expiries by waiting for keys to expire: short TTLs (a few
// hundred milliseconds) and one sleep per case. Run sleeps for real; a backend with a
// settable clock passes RunWith a Sleep that moves it instead:
//
//	kvstoretest.RunWith(t, newBackend, kvstoretest.Options{Sleep: clock.Advance, Now: clock.Now})
//
// Its cases run one after the other, since a sleep that moves a shared clock would
// expire a parallel case's keys early.
//
// Select areas or cases with -run, e.g. go test -run 'TestConformance/kvstore/Batch/'.
package kvstoretest
