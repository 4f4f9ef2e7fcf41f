package identity

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// Review asks the cluster who a token belongs to: a SelfSubjectReview made
// with the token itself. It returns an error wrapping ErrInvalidToken when
// the apiserver does not accept the token, and ok false when the cluster
// cannot say (the API is off, or the token may not use it).
type Review func(ctx context.Context, token string) (user string, groups []string, ok bool, err error)

// Passthrough accepts a bearer that is itself a Kubernetes credential. Only
// the apiserver judges it: on every call, since the bearer is forwarded
// as-is, and once up front when Review is set, so that a token the
// apiserver refuses is a 401 here and the audit log names the real user.
type Passthrough struct {
	Review Review        // nil: every token is accepted here and named by its fingerprint
	TTL    time.Duration // how long a review is reused; zero means a minute

	mu   sync.Mutex
	seen map[[sha256.Size]byte]reviewed
}

var _ Authenticator = (*Passthrough)(nil)

type reviewed struct {
	user    string
	groups  []string
	expires time.Time
}

// maxReviews bounds the review cache; beyond it the cache starts over.
const maxReviews = 10000

// Authenticate names the token's user and keeps the token as the identity's bearer.
func (p *Passthrough) Authenticate(ctx context.Context, token string) (*Identity, error) {
	if token == "" {
		return nil, invalid("empty token")
	}
	r, err := p.review(ctx, token)
	if err != nil {
		return nil, err
	}
	return WithBearer(Identity{User: r.user, Groups: r.groups}, token), nil
}

func (p *Passthrough) review(ctx context.Context, token string) (reviewed, error) {
	key := sha256.Sum256([]byte(token))
	now := time.Now()
	p.mu.Lock()
	r, ok := p.seen[key]
	p.mu.Unlock()
	if ok && now.Before(r.expires) {
		return r, nil
	}
	r = reviewed{user: "token:" + Fingerprint(token), expires: now.Add(p.ttl())}
	if p.Review != nil {
		user, groups, known, err := p.Review(ctx, token)
		if err != nil {
			return r, err
		}
		if known {
			r.user, r.groups = user, groups
		}
	}
	p.remember(key, r, now)
	return r, nil
}

func (p *Passthrough) remember(key [sha256.Size]byte, r reviewed, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil || len(p.seen) >= maxReviews {
		for k, old := range p.seen {
			if now.After(old.expires) {
				delete(p.seen, k)
			}
		}
		if len(p.seen) >= maxReviews || p.seen == nil {
			p.seen = map[[sha256.Size]byte]reviewed{}
		}
	}
	p.seen[key] = r
}

func (p *Passthrough) ttl() time.Duration {
	if p.TTL > 0 {
		return p.TTL
	}
	return time.Minute
}
