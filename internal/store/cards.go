package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// CardChange changes a card: where it is (X, Y), its size (W, H), what it
// shows (Config); nil fields stay as they are.
type CardChange struct {
	X, Y, W, H *int
	Config     json.RawMessage
}

// AddCard adds c (its ID is ignored) to the dashboard if it is still at
// version.
func (s *Store) AddCard(ctx context.Context, userID, dashboardID, version int64, c Card) (Dashboard, error) {
	return s.edit(ctx, userID, dashboardID, version, func(tx *sql.Tx) error {
		return insertCard(ctx, tx, dashboardID, c)
	})
}

func insertCard(ctx context.Context, tx *sql.Tx, dashboardID int64, c Card) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO cards (dashboard_id, type, x, y, w, h, config) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		dashboardID, c.Type, c.X, c.Y, c.W, c.H, orEmptyObject(c.Config))
	if err != nil {
		return fmt.Errorf("adding a %s card: %w", c.Type, err)
	}
	return nil
}

// SwapCard makes a card of the dashboard another type, with config, in the
// same place and size, if the dashboard is still at version.
func (s *Store) SwapCard(ctx context.Context, userID, dashboardID, version, cardID int64, typ string, config json.RawMessage) (Dashboard, error) {
	return s.edit(ctx, userID, dashboardID, version, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cards SET type = ?, config = ? WHERE id = ? AND dashboard_id = ?`,
			typ, orEmptyObject(config), cardID, dashboardID)
		return oneCard(res, err, cardID)
	})
}

// ChangeCard moves, resizes or reconfigures a card of the dashboard if the
// dashboard is still at version.
func (s *Store) ChangeCard(ctx context.Context, userID, dashboardID, version, cardID int64, ch CardChange) (Dashboard, error) {
	var config any // NULL keeps the config
	if ch.Config != nil {
		config = string(ch.Config)
	}
	return s.edit(ctx, userID, dashboardID, version, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE cards SET x = coalesce(?, x), y = coalesce(?, y), w = coalesce(?, w), h = coalesce(?, h),
				config = coalesce(?, config)
			WHERE id = ? AND dashboard_id = ?`,
			ch.X, ch.Y, ch.W, ch.H, config, cardID, dashboardID)
		return oneCard(res, err, cardID)
	})
}

// RemoveCard removes a card from the dashboard if it is still at version.
func (s *Store) RemoveCard(ctx context.Context, userID, dashboardID, version, cardID int64) (Dashboard, error) {
	return s.edit(ctx, userID, dashboardID, version, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM cards WHERE id = ? AND dashboard_id = ?`, cardID, dashboardID)
		return oneCard(res, err, cardID)
	})
}

func oneCard(res sql.Result, err error, cardID int64) error {
	if err != nil {
		return fmt.Errorf("card %d: %w", cardID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fmt.Errorf("card %d: %w", cardID, ErrNotFound))
	}
	return nil
}

func readCards(ctx context.Context, tx *sql.Tx, dashboardID int64) ([]Card, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, type, x, y, w, h, config FROM cards WHERE dashboard_id = ? ORDER BY y, x, id`, dashboardID)
	if err != nil {
		return nil, fmt.Errorf("reading the cards of dashboard %d: %w", dashboardID, err)
	}
	defer rows.Close()
	cards := []Card{}
	for rows.Next() {
		var c Card
		var config string
		if err := rows.Scan(&c.ID, &c.Type, &c.X, &c.Y, &c.W, &c.H, &config); err != nil {
			return nil, err
		}
		c.Config = json.RawMessage(config)
		cards = append(cards, c)
	}
	return cards, rows.Err()
}

func orEmptyObject(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "{}"
	}
	return string(raw)
}
