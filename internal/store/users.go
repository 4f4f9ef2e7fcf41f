package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// User is a person who signed in to the console.
type User struct {
	ID int64 `json:"id"`
	// Subject is who the sign-in provider says this is, qualified by the
	// provider: dev:NAME, github:LOGIN, oidc:ISSUER#SUB.
	Subject   string `json:"subject"`
	Name      string `json:"name"`
	Email     string `json:"email,omitempty"`
	AvatarURL string `json:"avatarUrl,omitempty"`
	// KubeUser and KubeGroups are whom the user reaches Kubernetes as,
	// mapped at sign-in.
	KubeUser    string    `json:"kubeUser"`
	KubeGroups  []string  `json:"kubeGroups"`
	CreatedAt   time.Time `json:"createdAt"`
	LastLoginAt time.Time `json:"lastLoginAt"`
}

// SignIn records that u.Subject signed in: it adds the user the first time and
// refreshes the profile the provider gave, and returns the stored user.
func (s *Store) SignIn(ctx context.Context, u User) (User, error) {
	now := s.stamp()
	groups, err := json.Marshal(orEmpty(u.KubeGroups))
	if err != nil {
		return User{}, err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO users (subject, name, email, avatar_url, kube_user, kube_groups, created_at, last_login_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (subject) DO UPDATE SET
				name = excluded.name, email = excluded.email, avatar_url = excluded.avatar_url,
				kube_user = excluded.kube_user, kube_groups = excluded.kube_groups,
				last_login_at = excluded.last_login_at`,
			u.Subject, u.Name, u.Email, u.AvatarURL, u.KubeUser, string(groups), now, now)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("recording the sign-in of %s: %w", u.Subject, err)
	}
	return s.User(ctx, u.Subject)
}

// User returns the user with this subject, or ErrNotFound.
func (s *Store) User(ctx context.Context, subject string) (User, error) {
	var u User
	var created, last, groups string
	err := s.db.QueryRowContext(ctx, `
		SELECT id, subject, name, email, avatar_url, kube_user, kube_groups, created_at, last_login_at
		FROM users WHERE subject = ?`, subject).
		Scan(&u.ID, &u.Subject, &u.Name, &u.Email, &u.AvatarURL, &u.KubeUser, &groups, &created, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", subject, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("reading user %s: %w", subject, err)
	}
	u.CreatedAt, u.LastLoginAt = parseTime(created), parseTime(last)
	if err := json.Unmarshal([]byte(groups), &u.KubeGroups); err != nil {
		return User{}, fmt.Errorf("reading the groups of user %s: %w", subject, err)
	}
	return u, nil
}

// orEmpty is groups, or an empty list for nil, so the column holds a list.
func orEmpty(groups []string) []string {
	if groups == nil {
		return []string{}
	}
	return groups
}
