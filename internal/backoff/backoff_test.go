package backoff

import (
	"testing"
	"time"
)

// TestNext: waits double from Min to Max, each within a fifth of its
// nominal value, and Reset starts again; the zero value is 1 s to 30 s.
func TestNext(t *testing.T) {
	for _, tt := range []struct {
		name string
		b    Backoff
		want []time.Duration
	}{
		{"zero value", Backoff{}, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}},
		{"bounded", Backoff{Min: 10 * time.Millisecond, Max: 25 * time.Millisecond}, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 25 * time.Millisecond}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for round := range 2 {
				for i, want := range tt.want {
					if got := tt.b.Next(); got < want*4/5 || got > want*6/5 {
						t.Errorf("round %d, wait %d: %s, want %s give or take a fifth", round, i, got, want)
					}
				}
				tt.b.Reset()
			}
		})
	}
}
