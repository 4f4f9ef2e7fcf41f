package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// Bounds of a Record's fields, in bytes. A field comes from the caller (a
// namespace argument, a tool name), so one request could otherwise make a line
// of any length. Honest names fit: Kubernetes names are at most 253 bytes.
const (
	MaxName  = 256 // identity, session, tool, cluster, namespace, kind and the short fields
	MaxError = 500 // the redacted error text
)

// MaxLine is the longest line, newline included, that Append writes and so the
// longest that Open and Verify read. With every field bounded, the longest
// record is under 13 KB (nine fields of MaxName and the error, each byte
// escaped by JSON as at most six, \u00XX; keys, hashes, time and duration):
// the rest is room for new fields. TestLongestRecordFits holds Append to it.
const MaxLine = 32 << 10

// Bound returns s if it is at most limit bytes long, else a prefix of s and a
// marker naming the whole of it (its length and SHA-256), limit bytes in all
// (for a limit above the marker's 110 or so): the record still tells one value
// from another, and matches a value found elsewhere (printf %s VALUE | sha256sum).
func Bound(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	marker := fmt.Sprintf("... (%d bytes, sha256 %s)", len(s), hex.EncodeToString(sum[:]))
	n := max(0, limit-len(marker))
	for n > 0 && !utf8.RuneStart(s[n]) { // cut between characters, not inside one
		n--
	}
	return s[:n] + marker
}

// bounded is r with every field the caller may fill bounded; Prev and Hash are
// the Log's own.
func (r Record) bounded() Record {
	for _, f := range []*string{&r.Identity, &r.Session, &r.Tool, &r.Cluster, &r.Namespace, &r.Kind, &r.Verb, &r.ArgsDigest, &r.Result} {
		*f = Bound(*f, MaxName)
	}
	r.Error = Bound(r.Error, MaxError)
	return r
}
