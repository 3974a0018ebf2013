package commands_test

import "github.com/kvlambda/kvlambda/events/commands"

var (
	okStatus = commands.OK
	pong     = commands.Status("PONG")
)
