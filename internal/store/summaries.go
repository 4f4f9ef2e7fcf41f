package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Summary is an AI summary the console made for a user: of scope (what it
// covers), with the tokens it cost, at At.
type Summary struct {
	Scope  string    `json:"scope"`
	Text   string    `json:"text"`
	Tokens int64     `json:"tokens"`
	At     time.Time `json:"at"`
}

// SaveSummary keeps sum as userID's latest of its scope, replacing the one
// before; At is set to now.
func (s *Store) SaveSummary(ctx context.Context, userID int64, sum Summary) (Summary, error) {
	sum.At = s.now().Truncate(time.Second)
	_, err := s.db.ExecContext(ctx, `INSERT INTO ai_summaries (user_id, scope, text, tokens, created) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id, scope) DO UPDATE SET text = excluded.text, tokens = excluded.tokens, created = excluded.created`,
		userID, sum.Scope, sum.Text, sum.Tokens, sum.At.Unix())
	if err != nil {
		return Summary{}, fmt.Errorf("keeping an AI summary: %w", err)
	}
	return sum, nil
}

// LatestSummary is userID's latest summary of scope, or ErrNotFound.
func (s *Store) LatestSummary(ctx context.Context, userID int64, scope string) (Summary, error) {
	sum := Summary{Scope: scope}
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT text, tokens, created FROM ai_summaries WHERE user_id = ? AND scope = ?`, userID, scope).
		Scan(&sum.Text, &sum.Tokens, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Summary{}, fmt.Errorf("no summary of %s yet: %w", scope, ErrNotFound)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("reading an AI summary: %w", err)
	}
	sum.At = time.Unix(at, 0).UTC()
	return sum, nil
}
