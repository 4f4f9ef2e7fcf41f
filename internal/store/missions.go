package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Mission is an AI mission: a goal a user set, worked on by the model.
type Mission struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"-"`
	Goal      string    `json:"goal"`
	Status    string    `json:"status"`
	Tokens    int64     `json:"tokens"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// MissionEvent is one step of a mission's history, numbered from 1.
type MissionEvent struct {
	Seq       int64           `json:"seq"`
	Kind      string          `json:"kind"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"createdAt"`
}

// CreateMission records a new mission of userID in status.
func (s *Store) CreateMission(ctx context.Context, userID int64, goal, status string) (Mission, error) {
	now := s.stamp()
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO missions (user_id, goal, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, userID, goal, status, now, now).Scan(&id)
	})
	if err != nil {
		return Mission{}, fmt.Errorf("recording a mission: %w", err)
	}
	return s.Mission(ctx, userID, id)
}

const missionColumns = `id, user_id, goal, status, tokens, created_at, updated_at`

func scanMission(row interface{ Scan(...any) error }) (Mission, error) {
	var m Mission
	var created, updated string
	err := row.Scan(&m.ID, &m.UserID, &m.Goal, &m.Status, &m.Tokens, &created, &updated)
	m.CreatedAt, m.UpdatedAt = parseTime(created), parseTime(updated)
	return m, err
}

// Mission returns userID's mission id, or ErrNotFound (also when it is
// another user's).
func (s *Store) Mission(ctx context.Context, userID, id int64) (Mission, error) {
	m, err := scanMission(s.db.QueryRowContext(ctx, `SELECT `+missionColumns+` FROM missions WHERE id = ? AND user_id = ?`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Mission{}, fmt.Errorf("mission %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Mission{}, fmt.Errorf("reading mission %d: %w", id, err)
	}
	return m, nil
}

// Missions lists userID's missions, newest first.
func (s *Store) Missions(ctx context.Context, userID int64) ([]Mission, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+missionColumns+` FROM missions WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("listing missions: %w", err)
	}
	defer rows.Close()
	out := []Mission{}
	for rows.Next() {
		m, err := scanMission(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MoveMission sets mission id's status to to if it is now from, and reports
// whether it was: two approvals, or an approval and a refusal, cannot both
// take a mission out of awaiting approval.
func (s *Store) MoveMission(ctx context.Context, id int64, from, to string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE missions SET status = ?, updated_at = ? WHERE id = ? AND status = ?`, to, s.stamp(), id, from)
	if err != nil {
		return false, fmt.Errorf("moving mission %d to %s: %w", id, to, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// insertMissionEvent appends an event (mission, kind, payload, time, and
// the mission again) as the next of its mission's history.
const insertMissionEvent = `INSERT INTO mission_events (mission_id, seq, kind, payload, created_at)
	SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM mission_events WHERE mission_id = ?`

// AddMissionEvent appends an event to mission id's history.
func (s *Store) AddMissionEvent(ctx context.Context, id int64, kind string, payload any) (MissionEvent, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return MissionEvent{}, err
	}
	now := s.stamp()
	e := MissionEvent{Kind: kind, Payload: raw, CreatedAt: parseTime(now)}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, insertMissionEvent+" RETURNING seq", id, kind, string(raw), now, id).Scan(&e.Seq)
	})
	if err != nil {
		return MissionEvent{}, fmt.Errorf("recording an event of mission %d: %w", id, err)
	}
	return e, nil
}

// MissionEvents returns mission id's events after seq, in order.
func (s *Store) MissionEvents(ctx context.Context, id, after int64) ([]MissionEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, kind, payload, created_at FROM mission_events
		WHERE mission_id = ? AND seq > ? ORDER BY seq`, id, after)
	if err != nil {
		return nil, fmt.Errorf("reading the events of mission %d: %w", id, err)
	}
	defer rows.Close()
	out := []MissionEvent{}
	for rows.Next() {
		var e MissionEvent
		var payload, created string
		if err := rows.Scan(&e.Seq, &e.Kind, &payload, &created); err != nil {
			return nil, err
		}
		e.Payload, e.CreatedAt = json.RawMessage(payload), parseTime(created)
		out = append(out, e)
	}
	return out, rows.Err()
}

// SpendTokens adds tokens to mission id's count (none for id 0) and to its
// user's count for today (UTC), in one transaction.
func (s *Store) SpendTokens(ctx context.Context, userID, id, tokens int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if id != 0 { // 0: spent for no mission (ranking recommendations)
			if _, err := tx.ExecContext(ctx, `UPDATE missions SET tokens = tokens + ? WHERE id = ?`, tokens, id); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ai_usage (user_id, day, tokens) VALUES (?, ?, ?)
			ON CONFLICT (user_id, day) DO UPDATE SET tokens = tokens + excluded.tokens`, userID, s.day(), tokens)
		return err
	})
}

// TokensToday is what userID's AI use has spent today (UTC).
func (s *Store) TokensToday(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(tokens), 0) FROM ai_usage WHERE user_id = ? AND day = ?`, userID, s.day()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("reading today's token use: %w", err)
	}
	return n, nil
}

func (s *Store) day() string { return s.now().Format(time.DateOnly) }

// EndMissions moves every mission in status from to status to, recording
// an event of kind with payload in its history, in one transaction; it
// returns the missions moved.
func (s *Store) EndMissions(ctx context.Context, from, to, kind string, payload any) ([]int64, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	var ids []int64
	now := s.stamp()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE missions SET status = ?, updated_at = ? WHERE status = ? RETURNING id`, to, now, from)
		if err != nil {
			return err
		}
		if ids, err = scanIDs(rows); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, insertMissionEvent, id, kind, string(raw), now, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ending the missions that were %s: %w", from, err)
	}
	return ids, nil
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
