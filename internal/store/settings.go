package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// Settings are a user's console settings.
type Settings struct {
	// AIMode caps how the AI is used: low (only when asked), medium
	// (summaries on demand), high (proactive).
	AIMode string `json:"aiMode"`
	// TokenLimit is the most AI tokens the user may spend a day.
	TokenLimit int    `json:"tokenLimit"`
	Theme      string `json:"theme"` // system, light or dark
}

// DefaultSettings are a user's settings until they change them.
func DefaultSettings() Settings {
	return Settings{AIMode: "low", TokenLimit: 100_000, Theme: "system"}
}

// fields are the settings by the key of their row; each row holds a JSON value.
func (st *Settings) fields() map[string]any {
	return map[string]any{"aiMode": &st.AIMode, "tokenLimit": &st.TokenLimit, "theme": &st.Theme}
}

// Settings returns the user's settings: the defaults, with what they set.
func (s *Store) Settings(ctx context.Context, userID int64) (Settings, error) {
	var st Settings
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		st, err = readSettings(ctx, tx, userID)
		return err
	})
	return st, err
}

// UpdateSettings changes the user's settings with change, in one
// transaction, so changes to different settings made at once both stay.
func (s *Store) UpdateSettings(ctx context.Context, userID int64, change func(*Settings)) (Settings, error) {
	var st Settings
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if st, err = readSettings(ctx, tx, userID); err != nil {
			return err
		}
		change(&st)
		for key, v := range st.fields() {
			value, err := json.Marshal(v)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (user_id, key, value) VALUES (?, ?, ?)
				ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value`, userID, key, string(value)); err != nil {
				return fmt.Errorf("storing setting %s: %w", key, err)
			}
		}
		return nil
	})
	return st, err
}

func readSettings(ctx context.Context, tx *sql.Tx, userID int64) (Settings, error) {
	st := DefaultSettings()
	fields := st.fields()
	rows, err := tx.QueryContext(ctx, `SELECT key, value FROM settings WHERE user_id = ?`, userID)
	if err != nil {
		return st, fmt.Errorf("reading settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, value string
		if err := rows.Scan(&key, &value); err != nil {
			return st, err
		}
		if f, ok := fields[key]; ok {
			if err := json.Unmarshal([]byte(value), f); err != nil {
				return st, fmt.Errorf("reading setting %s: %w", key, err)
			}
		}
	}
	return st, rows.Err()
}
