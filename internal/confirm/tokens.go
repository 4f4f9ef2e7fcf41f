package confirm

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// An approval token carries everything needed to check it, signed, so that
// any server holding the key redeems it, whichever made it:
//
//	nonce (12 bytes) | expiry (unix seconds, 8) | digest of the state (16) | MAC (16)
//
// The MAC is HMAC-SHA256, cut to 16 bytes, over those fields and the call key
// (tool, caller, arguments), which the token does not carry: the redeeming call
// supplies it, so a token presented for another call fails its MAC. The
// state's digest is carried so that a token for this call whose objects
// changed can be told apart, and explained, rather than called forged.
const (
	nonceLen = 12
	sumLen   = 16
	macLen   = 16
	payload  = nonceLen + 8 + sumLen
	tokenLen = payload + macLen
)

// encoding is base32 in capitals without padding: no character a model or a
// person would mistake or a shell would mangle.
var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

type token struct {
	nonce   [nonceLen]byte
	expires time.Time
	state   [sumLen]byte
}

func stateSum(state string) (sum [sumLen]byte) {
	full := sha256.Sum256([]byte(state))
	copy(sum[:], full[:])
	return sum
}

func (t token) payload() []byte {
	b := make([]byte, 0, tokenLen)
	b = append(b, t.nonce[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(t.expires.Unix()))
	return append(b, t.state[:]...)
}

func mac(key, payload []byte, call string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(payload)
	h.Write([]byte(call))
	return h.Sum(nil)[:macLen]
}

// issue signs a new approval of call in state, good until expires.
func (c *Confirmer) issue(call, state string, expires time.Time) (string, error) {
	keys, err := c.keys()
	if err != nil {
		return "", err
	}
	t := token{expires: expires, state: stateSum(state)}
	_, _ = rand.Read(t.nonce[:]) // never fails (crypto/rand)
	p := t.payload()
	return encoding.EncodeToString(append(p, mac(keys[0], p, call)...)), nil
}

// open checks that text is a token signed by one of the keys for call and
// reads it. Nothing is used up: whoever holds a copy of someone else's token
// cannot void it by presenting it for their own call.
func (c *Confirmer) open(text, call string) (token, error) {
	b, err := encoding.DecodeString(strings.ToUpper(strings.TrimSpace(text)))
	if err != nil || len(b) != tokenLen {
		return token{}, errors.New("approval_token is not one kubemcp gave out: pass it exactly as the answer that asked for confirmation gave it")
	}
	keys, err := c.keys()
	if err != nil {
		return token{}, err
	}
	p, sig := b[:payload], b[payload:]
	for _, key := range keys {
		if hmac.Equal(sig, mac(key, p, call)) {
			var t token
			copy(t.nonce[:], p)
			t.expires = time.Unix(int64(binary.BigEndian.Uint64(p[nonceLen:])), 0)
			copy(t.state[:], p[nonceLen+8:])
			return t, nil
		}
	}
	return token{}, errors.New("approval_token was given for another call (tool, caller or arguments differ), or by a kubemcp that does not share this one's approval key (replicas need the same --approval-key-file)")
}
