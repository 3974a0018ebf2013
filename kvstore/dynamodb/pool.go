package dynamodb

import "sync"

// pool runs tasks on goroutines, at most a fixed number at a time.
type pool struct {
	sem chan struct{}
	wg  sync.WaitGroup
}

func newPool(n int) *pool { return &pool{sem: make(chan struct{}, max(n, 1))} }

// Go runs f once a slot is free.
func (p *pool) Go(f func()) {
	p.sem <- struct{}{}
	p.wg.Add(1)
	go func() {
		defer func() { <-p.sem; p.wg.Done() }()
		f()
	}()
}

// Wait waits for every task to finish.
func (p *pool) Wait() { p.wg.Wait() }
