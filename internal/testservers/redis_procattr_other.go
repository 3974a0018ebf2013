//go:build !linux

package testservers

import "syscall"

// redisProcAttr returns nil: only Linux can tie the server's life to the test's.
func redisProcAttr() *syscall.SysProcAttr { return nil }
