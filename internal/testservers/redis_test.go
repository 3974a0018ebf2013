package testservers

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// send runs one inline command on addr and returns the first line of the reply.
func send(t *testing.T, addr, command string) (string, error) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintf(conn, "%s\r\n", command); err != nil {
		return "", err
	}
	rd := bufio.NewReader(conn)
	line, err := rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "$") && line != "$-1" {
		v, err := rd.ReadString('\n')
		return strings.TrimSpace(v), err
	}
	return line, nil
}

func TestStartRedisKillRestart(t *testing.T) {
	r := StartRedis(t)
	if got, err := send(t, r.Addr(), "SET k v"); err != nil || got != "+OK" {
		t.Fatalf("SET = %q, %v", got, err)
	}
	r.Kill()
	if _, err := send(t, r.Addr(), "PING"); err == nil {
		t.Fatal("PING after Kill succeeded")
	}
	r.Kill() // killing a stopped server does nothing
	r.Restart()
	if got, err := send(t, r.Addr(), "GET k"); err != nil || got != "$-1" {
		t.Fatalf("GET after restart without persistence = %q, %v; want $-1 (nil)", got, err)
	}
}

func TestStartRedisAppendOnlyKeepsData(t *testing.T) {
	r := StartRedisWith(t, RedisOptions{AppendOnly: true})
	if got, err := send(t, r.Addr(), "SET k v"); err != nil || got != "+OK" {
		t.Fatalf("SET = %q, %v", got, err)
	}
	addr := r.Addr()
	r.Kill()
	r.Restart()
	if r.Addr() != addr {
		t.Fatalf("Restart moved the server from %s to %s", addr, r.Addr())
	}
	if got, err := send(t, r.Addr(), "GET k"); err != nil || got != "v" {
		t.Fatalf("GET after kill and restart = %q, %v; want v", got, err)
	}
}

func TestLaunchRedisStop(t *testing.T) {
	RequireRedis(t)
	r, err := LaunchRedis(RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := send(t, r.Addr(), "PING"); err != nil || got != "+PONG" {
		t.Fatalf("PING = %q, %v", got, err)
	}
	r.Stop()
	if _, err := send(t, r.Addr(), "PING"); err == nil {
		t.Fatal("PING after Stop succeeded")
	}
}
