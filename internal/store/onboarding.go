package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Onboarding returns the user's onboarding answers by question.
func (s *Store) Onboarding(ctx context.Context, userID int64) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT question, answer FROM onboarding_responses WHERE user_id = ?`, userID)
	if err != nil {
		return nil, fmt.Errorf("reading onboarding answers: %w", err)
	}
	defer rows.Close()
	answers := map[string]string{}
	for rows.Next() {
		var q, a string
		if err := rows.Scan(&q, &a); err != nil {
			return nil, err
		}
		answers[q] = a
	}
	return answers, rows.Err()
}

// Onboard stores the user's answers and, if they have no dashboard yet,
// creates the one made from them (name and cards), in one transaction: two
// tabs answering at once make one dashboard. It returns the dashboard
// created, or nil.
func (s *Store) Onboard(ctx context.Context, userID int64, answers map[string]string, name string, cards []Card) (*Dashboard, error) {
	var created *Dashboard
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for q, a := range answers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO onboarding_responses (user_id, question, answer, created_at)
				VALUES (?, ?, ?, ?) ON CONFLICT (user_id, question) DO UPDATE SET answer = excluded.answer`,
				userID, q, a, s.stamp()); err != nil {
				return fmt.Errorf("storing the answer to %s: %w", q, err)
			}
		}
		var has bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM dashboards WHERE user_id = ?)`, userID).Scan(&has); err != nil || has {
			return err
		}
		d, err := s.insertDashboardWithCards(ctx, tx, userID, name, cards)
		created = &d
		return err
	})
	return created, err
}

func (s *Store) insertDashboardWithCards(ctx context.Context, tx *sql.Tx, userID int64, name string, cards []Card) (Dashboard, error) {
	id, err := s.insertDashboard(ctx, tx, userID, name)
	if err != nil {
		return Dashboard{}, err
	}
	for _, c := range cards {
		if err := insertCard(ctx, tx, id, c); err != nil {
			return Dashboard{}, err
		}
	}
	return readDashboard(ctx, tx, userID, id)
}
