package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Key returns the key called name: the one kept in the database, or, the
// first time, fresh (made by the caller), which is then kept. Callers that
// race on the first time all get the one that was kept.
func (s *Store) Key(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	var key []byte
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO keys (name, value, created_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO NOTHING`, name, fresh, s.stamp()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM keys WHERE name = ?`, name).Scan(&key)
	})
	if err != nil {
		return nil, fmt.Errorf("reading the %s key: %w", name, err)
	}
	return key, nil
}
