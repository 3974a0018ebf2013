package kvstoreurl

import (
	"io"

	goredis "github.com/redis/go-redis/v9"

	"github.com/kvlambda/kvlambda/kvstore"
	kvredis "github.com/kvlambda/kvlambda/kvstore/redis"
)

// redisOptions returns the go-redis options of a redis:// or rediss:// URL (TLS for
// rediss), the wrappers' parameters taken out.
func redisOptions(s *spec) (*goredis.Options, error) {
	u := *s.u
	u.RawQuery = s.params.Encode()
	opts, err := goredis.ParseURL(u.String())
	if err != nil {
		return nil, errorf("%v", err)
	}
	return opts, nil
}

func openRedis(s *spec) (kvstore.Backend, io.Closer, error) {
	opts, err := redisOptions(s)
	if err != nil {
		return nil, nil, err
	}
	opts.ContextTimeoutEnabled = true // see the package documentation
	client := goredis.NewClient(opts)
	return kvredis.NewBackend(client), client, nil
}
