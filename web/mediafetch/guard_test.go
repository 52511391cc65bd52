package mediafetch

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestBlockedReason(t *testing.T) {
	tests := []struct {
		ip      string
		blocked bool
	}{
		{"127.0.0.1", true},
		{"127.0.0.2", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true}, // cloud metadata
		{"169.254.1.1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fc00::1", true},
		{"fd00:ec2::254", true}, // AWS metadata over IPv6
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"::", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"255.255.255.255", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::127.0.0.1", true},                          // IPv4-compatible
		{"64:ff9b::a00:1", true},                       // NAT64 of 10.0.0.1
		{"2002:a9fe:a9fe::1", true},                    // 6to4 of 169.254.169.254
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true}, // Teredo
		{"2001::1", true},
		{"2001:1::1", false}, // next to Teredo: not a tunnel
		{"8.8.8.8", false},
		{"93.184.216.34", false},
		{"100.63.255.255", false},
		{"100.128.0.0", false},
		{"172.32.0.1", false},
		{"::ffff:8.8.8.8", false},
		{"2606:4700:4700::1111", false},
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
	}
	for _, tt := range tests {
		why := blockedReason(netip.MustParseAddr(tt.ip))
		if (why != "") != tt.blocked {
			t.Errorf("blockedReason(%s) = %q, want blocked %v", tt.ip, why, tt.blocked)
		}
	}
}

func TestRefusePrivate(t *testing.T) {
	tests := []struct {
		address string
		refused bool
	}{
		{"10.0.0.1:80", true},
		{"[::ffff:7f00:1]:443", true},
		{"[fe80::1%eth0]:443", true},
		{"not-an-address", true},
		{"8.8.8.8:443", false},
		{"[2606:4700:4700::1111]:443", false},
	}
	for _, tt := range tests {
		err := refusePrivate("tcp", tt.address, nil)
		if refused := errors.Is(err, ErrBlocked); refused != tt.refused {
			t.Errorf("refusePrivate(%s) = %v, want refused %v", tt.address, err, tt.refused)
		}
	}
}

func TestBackoff(t *testing.T) {
	f := &Fetcher{cfg: Config{BackoffBase: 2 * time.Second}.withDefaults()}
	tests := []struct {
		attempts int
		want     time.Duration
	}{
		{0, 2 * time.Second},
		{1, 4 * time.Second},
		{2, 8 * time.Second},
		{7, 256 * time.Second},
		{8, 5 * time.Minute},
		{1000, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := f.backoff(tt.attempts); got != tt.want {
			t.Errorf("backoff(%d) = %s, want %s", tt.attempts, got, tt.want)
		}
	}
}
