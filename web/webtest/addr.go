package webtest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"testing"
)

// UnusedAddr returns a loopback address that nothing listens on, for a test that must know a
// server's address before the server starts (a redirect URL registered with an identity
// provider, an endpoint that is down at first).
//
// The port is taken below the kernel's ephemeral range. A port from net.Listen(":0") that is
// closed again goes back to that range, where the next outgoing connection of any test may take
// it as its source port, and the server that later binds it fails with "address already in use"
// (CI saw that once). Below the range only another caller of UnusedAddr can take it, at random
// among thousands.
func UnusedAddr(t testing.TB) string {
	t.Helper()
	low := 32768 // Linux's default ip_local_port_range starts here
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		var lo, hi int
		if n, _ := fmt.Sscan(string(b), &lo, &hi); n == 2 && lo > 10000 {
			low = lo
		} else if n == 2 {
			t.Logf("webtest: the ephemeral port range starts at %d: the address may be taken before its server binds it", lo)
		}
	}
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 10000+rand.IntN(low-10000))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue // in use
		}
		ln.Close()
		return addr
	}
	t.Fatal("webtest: no unused loopback port below the ephemeral range")
	return ""
}
