package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/bcrypt"
)

// Password rules. bcrypt reads at most 72 bytes, so longer passwords are refused rather than truncated.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 72
	// DefaultBcryptCost keeps one hash around a tenth of a second on a small server.
	DefaultBcryptCost = 11
)

// ErrWeakPassword explains what a password must be.
var ErrWeakPassword = fmt.Errorf("a password must be %d to %d characters long", MinPasswordLen, MaxPasswordLen)

// HashPassword returns a bcrypt hash of password at the given cost.
func HashPassword(password string, cost int) (string, error) {
	if len(password) < MinPasswordLen || len(password) > MaxPasswordLen {
		return "", ErrWeakPassword
	}
	if cost < bcrypt.MinCost {
		cost = DefaultBcryptCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	if len(password) > MaxPasswordLen {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// GeneratePassword returns a random password of 20 characters that avoids look-alike letters.
func GeneratePassword() (string, error) {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	out := make([]byte, 20)
	for i := range out {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", errors.New("generate password: no randomness available")
		}
		out[i] = alphabet[n.Int64()]
	}
	return string(out), nil
}
