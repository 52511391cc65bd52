package mediafetch

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrBlocked is the cause when a download would connect to an address that is not on the
// public internet (loopback, private, link-local, cloud metadata…).
var ErrBlocked = errors.New("destination not allowed")

// blockedPrefixes are the ranges the netip predicates in blockedReason do not cover.
var blockedPrefixes = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "a \"this network\" address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a carrier-grade NAT address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"}, // includes 255.255.255.255
	{netip.MustParsePrefix("::/96"), "an IPv4-compatible address"},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local NAT64 address"},
	// Teredo tunnels to an IPv4 server and client the address carries (the client obfuscated).
	{netip.MustParsePrefix("2001::/32"), "a Teredo tunnel address"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// blockedReason says why a download must not connect to ip, or "" when it may.
func blockedReason(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	switch {
	case ip.IsUnspecified():
		return "an unspecified address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip == netip.AddrFrom4([4]byte{169, 254, 169, 254}):
		return "the cloud metadata address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	for _, b := range blockedPrefixes {
		if b.prefix.Contains(ip) {
			return b.why
		}
	}
	// Translation prefixes carry an IPv4 address that a gateway would connect to.
	a := ip.As16()
	switch {
	case nat64.Contains(ip):
		return blockedReason(netip.AddrFrom4([4]byte(a[12:16])))
	case sixToFour.Contains(ip):
		return blockedReason(netip.AddrFrom4([4]byte(a[2:6])))
	}
	return ""
}

// refusePrivate is a net.Dialer Control func: it sees the address actually being dialled,
// after name resolution, so a host name that resolves (or re-resolves) to an internal
// address is refused just like the literal address.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot check %s address %q", ErrBlocked, network, address)
	}
	if why := blockedReason(ap.Addr()); why != "" {
		return fmt.Errorf("%w: %s is %s", ErrBlocked, ap.Addr(), why)
	}
	return nil
}
