package cache

import "context"

// WrapHandler returns a Lambda handler that resets c (see Reset) before running
// handler, so each invocation starts with an empty cache:
//
//	lambda.Start(cache.WrapHandler(c, handle))
func WrapHandler[In, Out any](c *Backend, handler func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (Out, error) {
		c.Reset()
		return handler(ctx, in)
	}
}
