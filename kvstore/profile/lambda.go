package profile

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// WrapHandler returns a Lambda handler that runs handler and then flushes p (see
// Flush), so each invocation writes one line of metrics:
//
//	lambda.Start(profile.WrapHandler(p, handle))
//
// A failing flush is reported on stderr; it does not fail the invocation.
func WrapHandler[In, Out any](p *Profiler, handler func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (Out, error) {
		defer p.flushOrReport()
		return handler(ctx, in)
	}
}

// LambdaHandler wraps a lambda.Handler so that p flushes after every invocation; it
// suits handlers of any signature:
//
//	lambda.Start(profile.LambdaHandler(p, lambda.NewHandler(handle)))
func LambdaHandler(p *Profiler, handler lambda.Handler) lambda.Handler {
	return lambdaHandler{p: p, h: handler}
}

type lambdaHandler struct {
	p *Profiler
	h lambda.Handler
}

// Invoke runs the wrapped handler, then flushes the profiler.
func (l lambdaHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	defer l.p.flushOrReport()
	return l.h.Invoke(ctx, payload)
}

func (p *Profiler) flushOrReport() {
	if err := p.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}
