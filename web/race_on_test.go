//go:build race

package web

// raceEnabled: the race detector shadows memory, so memory bounds allow for it.
const raceEnabled = true
