//go:build !linux

package testservers

import (
	"os/exec"
	"syscall"
)

// dynamoDBProcAttr has no process-group settings outside Linux.
func dynamoDBProcAttr() *syscall.SysProcAttr { return nil }

// killDynamoDBGroup kills the JVM.
func killDynamoDBGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
