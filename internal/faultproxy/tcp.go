package faultproxy

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// TCP is a TCP proxy on 127.0.0.1 in front of a server (redis-server) that can cut a
// connection right after the server answered: the answer is dropped and both sides
// are closed, so the client's command took effect but the client never hears so.
type TCP struct {
	ln     net.Listener
	target string
	armed  atomic.Int32
	cuts   atomic.Int32

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// NewTCP starts a proxy in front of target ("host:port") and stops it, closing every
// connection, when the test ends.
func NewTCP(t testing.TB, target string) *TCP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &TCP{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's address.
func (p *TCP) Addr() string { return p.ln.Addr().String() }

// CutNextReplies arms the proxy: the next n answers the server sends, on any
// connection, are dropped and their connections cut.
func (p *TCP) CutNextReplies(n int) { p.armed.Store(int32(n)) }

// Cuts returns how many connections were cut after an answer.
func (p *TCP) Cuts() int { return int(p.cuts.Load()) }

func (p *TCP) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *TCP) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *TCP) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		if !p.track(client) || !p.track(server) {
			_ = client.Close()
			_ = server.Close()
			return
		}
		p.wg.Add(2)
		go p.pipe(server, client, false)
		go p.pipe(client, server, true)
	}
}

// pipe copies from src to dst; on the server's side (fromServer) it may drop an
// answer and cut both connections.
func (p *TCP) pipe(dst, src net.Conn, fromServer bool) {
	defer p.wg.Done()
	defer func() { _ = dst.Close(); _ = src.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && fromServer {
			for {
				a := p.armed.Load()
				if a <= 0 {
					break
				}
				if p.armed.CompareAndSwap(a, a-1) {
					p.cuts.Add(1)
					if tcp, ok := dst.(*net.TCPConn); ok {
						_ = tcp.SetLinger(0)
					}
					return
				}
			}
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // io.EOF or a closed connection: close the other side too
		}
	}
}
