package commands

import "context"

func runPing(_ context.Context, _ *Executor, a []string) Reply {
	if len(a) == 1 {
		return a[0]
	}
	return Status("PONG")
}

func runEcho(_ context.Context, _ *Executor, a []string) Reply {
	return a[0]
}
