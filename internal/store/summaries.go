package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Summary is an AI summary the console made for a user: of scope (what it
// covers), as identity (who they reached the clusters as), from the tools
// in Read, with the tokens it cost, at At. Tried is the last attempt to
// make one, and Note why it made none (empty when it did).
type Summary struct {
	Scope    string    `json:"scope"`
	Identity string    `json:"identity"`
	Text     string    `json:"text"`
	Tokens   int64     `json:"tokens"`
	Read     []string  `json:"read"`
	At       time.Time `json:"at"`
	Tried    time.Time `json:"tried"`
	Note     string    `json:"note,omitempty"`
}

// SaveSummary keeps sum as userID's latest of its scope, replacing the one
// before. Tried is set to now, and so is At when zero (a summary made now);
// an attempt that made none passes the kept summary's At, text and all.
func (s *Store) SaveSummary(ctx context.Context, userID int64, sum Summary) (Summary, error) {
	sum.Tried = s.now().Truncate(time.Second)
	if sum.At.IsZero() {
		sum.At = sum.Tried
	}
	if sum.Read == nil {
		sum.Read = []string{}
	}
	read, err := json.Marshal(sum.Read)
	if err != nil {
		return Summary{}, err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO ai_summaries (user_id, scope, identity, text, tokens, read, created, tried, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, scope) DO UPDATE SET identity = excluded.identity, text = excluded.text, tokens = excluded.tokens,
			read = excluded.read, created = excluded.created, tried = excluded.tried, note = excluded.note`,
		userID, sum.Scope, sum.Identity, sum.Text, sum.Tokens, string(read), sum.At.Unix(), sum.Tried.Unix(), sum.Note)
	if err != nil {
		return Summary{}, fmt.Errorf("keeping an AI summary: %w", err)
	}
	return sum, nil
}

// LatestSummary is userID's latest summary of scope, or ErrNotFound.
func (s *Store) LatestSummary(ctx context.Context, userID int64, scope string) (Summary, error) {
	sum := Summary{Scope: scope}
	var at, tried int64
	var read string
	err := s.db.QueryRowContext(ctx, `SELECT identity, text, tokens, read, created, tried, note FROM ai_summaries WHERE user_id = ? AND scope = ?`, userID, scope).
		Scan(&sum.Identity, &sum.Text, &sum.Tokens, &read, &at, &tried, &sum.Note)
	if errors.Is(err, sql.ErrNoRows) {
		return Summary{}, fmt.Errorf("no summary of %s yet: %w", scope, ErrNotFound)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("reading an AI summary: %w", err)
	}
	if err := json.Unmarshal([]byte(read), &sum.Read); err != nil {
		return Summary{}, fmt.Errorf("reading an AI summary's tools: %w", err)
	}
	sum.At, sum.Tried = time.Unix(at, 0).UTC(), time.Unix(tried, 0).UTC()
	return sum, nil
}
