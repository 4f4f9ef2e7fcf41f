package testenv

import (
	"testing"
	"time"
)

// Eventually waits until ok holds, asking every 10 ms, and fails t if it
// does not within the given time. Tests wait for what they need to have
// happened this way, rather than sleeping for a guess at how long it takes.
func Eventually(t testing.TB, within time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
	}
}
