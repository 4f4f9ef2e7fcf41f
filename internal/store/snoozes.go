package store

import (
	"context"
	"fmt"
	"time"
)

// Snooze hides userID's recommendation id until until; snoozing it again
// moves the time. The user's snoozes whose time has come are forgotten
// here, in the write, so that reading them stays a read.
func (s *Store) Snooze(ctx context.Context, userID int64, id string, until time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("snoozing a recommendation: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM recommendation_snoozes WHERE user_id = ? AND until <= ?`, userID, s.now().Unix()); err != nil {
		return fmt.Errorf("forgetting ended snoozes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO recommendation_snoozes (user_id, rec_id, until) VALUES (?, ?, ?)
		ON CONFLICT (user_id, rec_id) DO UPDATE SET until = excluded.until`, userID, id, until.Unix()); err != nil {
		return fmt.Errorf("snoozing a recommendation: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("snoozing a recommendation: %w", err)
	}
	return nil
}

// Snoozed are userID's recommendations hidden now, each with when it shows
// again.
func (s *Store) Snoozed(ctx context.Context, userID int64) (map[string]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rec_id, until FROM recommendation_snoozes WHERE user_id = ? AND until > ?`, userID, s.now().Unix())
	if err != nil {
		return nil, fmt.Errorf("reading snoozed recommendations: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var until int64
		if err := rows.Scan(&id, &until); err != nil {
			return nil, err
		}
		out[id] = time.Unix(until, 0).UTC()
	}
	return out, rows.Err()
}
