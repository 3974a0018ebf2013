//go:build !kvstore_nodax

package kvstoreurl

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-dax-go-v2/dax"

	"github.com/kvlambda/kvlambda/kvstore"
	kvdynamodb "github.com/kvlambda/kvlambda/kvstore/dynamodb"
)

// daxConfig returns the DAX client configuration of a dax:// or daxs:// URL.
func daxConfig(ctx context.Context, s *spec) (cfg dax.Config, err error) {
	awsCfg, err := awsConfig(ctx, s)
	if err != nil {
		return dax.Config{}, err
	}
	// dax.DefaultConfig loads the AWS configuration again and panics when that fails;
	// it just succeeded above, but a panic must not escape.
	defer func() {
		if r := recover(); r != nil {
			err = failf(fmt.Errorf("%v", r), "dax configuration")
		}
	}()
	cfg = dax.DefaultConfig()
	cfg.HostPorts = []string{s.daxEndpoint()}
	cfg.Region = awsCfg.Region
	cfg.Credentials = awsCfg.Credentials
	return cfg, nil
}

// newDAX builds a DAX client. dax.New dials the cluster to learn its nodes before it
// returns and takes no context: it runs in a goroutine, and when ctx ends first the
// client is closed once it is built.
func newDAX(ctx context.Context, cfg dax.Config) (*dax.Dax, error) {
	if err := ctx.Err(); err != nil {
		return nil, failf(err, "building the DAX client")
	}
	type result struct {
		client *dax.Dax
		err    error
	}
	done := make(chan result, 1)
	go func() {
		c, err := dax.New(cfg)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, failf(r.err, "building the DAX client")
		}
		return r.client, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.client != nil {
				r.client.Close()
			}
		}()
		return nil, failf(ctx.Err(), "building the DAX client")
	}
}

func init() { openDAX = openDAXClient }

// openDAXClient opens a dax:// or daxs:// URL.
func openDAXClient(ctx context.Context, s *spec) (kvstore.Backend, io.Closer, error) {
	table, err := s.table()
	if err != nil {
		return nil, nil, err
	}
	cfg, err := daxConfig(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	client, err := newDAX(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return kvdynamodb.NewBackend(client, table), client, nil
}
