package testservers

import (
	"os/exec"
	"syscall"
)

// dynamoDBProcAttr starts the JVM in its own process group (so that
// killDynamoDBGroup stops it and anything it starts) and has the kernel kill it when
// the test process dies.
func dynamoDBProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killDynamoDBGroup kills the JVM's process group.
func killDynamoDBGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		_ = cmd.Process.Kill()
	}
}
