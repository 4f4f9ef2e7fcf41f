package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Dashboard is one of a user's dashboards with its cards.
type Dashboard struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Version   int64     `json:"version"`
	Cards     []Card    `json:"cards"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Card is a card on a dashboard: what it shows (Type, Config) and where, on
// the dashboard's grid.
type Card struct {
	ID     int64           `json:"id"`
	Type   string          `json:"type"`
	X      int             `json:"x"`
	Y      int             `json:"y"`
	W      int             `json:"w"`
	H      int             `json:"h"`
	Config json.RawMessage `json:"config"`
}

// Dashboards returns the user's dashboards, oldest first, with their cards.
func (s *Store) Dashboards(ctx context.Context, userID int64) ([]Dashboard, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM dashboards WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("listing dashboards: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("listing dashboards: %w", err)
	}
	out := []Dashboard{}
	for _, id := range ids {
		d, err := s.Dashboard(ctx, userID, id)
		if errors.Is(err, ErrNotFound) {
			continue // deleted since the list was read
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Dashboard returns one of the user's dashboards, or ErrNotFound (also when
// it is someone else's).
func (s *Store) Dashboard(ctx context.Context, userID, id int64) (Dashboard, error) {
	var d Dashboard
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = readDashboard(ctx, tx, userID, id)
		return err
	})
	return d, err
}

// CreateDashboard adds an empty dashboard, at version 1.
func (s *Store) CreateDashboard(ctx context.Context, userID int64, name string) (Dashboard, error) {
	var d Dashboard
	err := s.tx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertDashboard(ctx, tx, userID, name)
		if err != nil {
			return err
		}
		d, err = readDashboard(ctx, tx, userID, id)
		return err
	})
	return d, err
}

func (s *Store) insertDashboard(ctx context.Context, tx *sql.Tx, userID int64, name string) (int64, error) {
	now := s.stamp()
	res, err := tx.ExecContext(ctx, `
		INSERT INTO dashboards (user_id, name, version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)`,
		userID, name, now, now)
	if err != nil {
		return 0, fmt.Errorf("creating dashboard %q: %w", name, err)
	}
	return res.LastInsertId()
}

// RenameDashboard renames the dashboard if it is still at version.
func (s *Store) RenameDashboard(ctx context.Context, userID, id, version int64, name string) (Dashboard, error) {
	return s.edit(ctx, userID, id, version, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE dashboards SET name = ? WHERE id = ?`, name, id)
		return err
	})
}

// DeleteDashboard deletes the dashboard and its cards if it is still at
// version.
func (s *Store) DeleteDashboard(ctx context.Context, userID, id, version int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM dashboards WHERE id = ? AND user_id = ? AND version = ?`, id, userID, version)
		if err != nil {
			return fmt.Errorf("deleting dashboard %d: %w", id, err)
		}
		return changedOne(ctx, tx, res, userID, id)
	})
}

// edit runs change on the dashboard in one transaction that first moves it
// from version to version+1, so that of two edits made from the same read
// one wins and the other gets ErrConflict; it returns the dashboard as
// change left it.
func (s *Store) edit(ctx context.Context, userID, id, version int64, change func(*sql.Tx) error) (Dashboard, error) {
	var d Dashboard
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE dashboards SET version = version + 1, updated_at = ?
			WHERE id = ? AND user_id = ? AND version = ?`, s.stamp(), id, userID, version)
		if err != nil {
			return fmt.Errorf("editing dashboard %d: %w", id, err)
		}
		if err := changedOne(ctx, tx, res, userID, id); err != nil {
			return err
		}
		if err := change(tx); err != nil {
			return err
		}
		d, err = readDashboard(ctx, tx, userID, id)
		return err
	})
	return d, err
}

// changedOne turns a conditional write on a dashboard that matched no row
// into why: the dashboard is gone (or not the user's), or its version moved.
func changedOne(ctx context.Context, tx *sql.Tx, res sql.Result, userID, id int64) error {
	n, err := res.RowsAffected()
	if err != nil || n == 1 {
		return err
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM dashboards WHERE id = ? AND user_id = ?)`, id, userID).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("dashboard %d: %w", id, ErrNotFound)
	}
	return fmt.Errorf("dashboard %d: %w", id, ErrConflict)
}

func readDashboard(ctx context.Context, tx *sql.Tx, userID, id int64) (Dashboard, error) {
	d := Dashboard{Cards: []Card{}}
	var created, updated string
	err := tx.QueryRowContext(ctx, `
		SELECT id, name, version, created_at, updated_at FROM dashboards WHERE id = ? AND user_id = ?`, id, userID).
		Scan(&d.ID, &d.Name, &d.Version, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Dashboard{}, fmt.Errorf("dashboard %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Dashboard{}, fmt.Errorf("reading dashboard %d: %w", id, err)
	}
	d.CreatedAt, d.UpdatedAt = parseTime(created), parseTime(updated)
	d.Cards, err = readCards(ctx, tx, id)
	return d, err
}
