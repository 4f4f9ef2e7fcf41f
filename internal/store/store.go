// Package store keeps the console's state (users, dashboards and their cards,
// settings, onboarding answers, AI missions) in one SQLite file: a pure-Go
// driver so the binary stays static, WAL, a busy timeout, versioned
// migrations embedded in the binary, and every SQL statement in this package.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Errors the console maps to HTTP statuses.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict: the edit named a version another edit has replaced; read
	// the dashboard again and redo the edit on what is there now.
	ErrConflict = errors.New("the dashboard changed since it was read")
)

// DefaultPath is where the console keeps its database unless told otherwise.
const DefaultPath = "./data/console.db"

// busyTimeout is how long a write waits for another to finish before failing.
const busyTimeout = 5 * time.Second

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the console's database.
type Store struct {
	db  *sql.DB
	now func() time.Time
}

// Open opens the database at path, creating it and its parent directories
// (owner-only: it holds who signed in and what they keep) on first use, and
// brings its schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := create(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Writers take the write lock when they begin: a transaction that read
	// first and then writes could otherwise fail at once with SQLITE_BUSY
	// instead of waiting out the busy timeout.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening the console database %s: %w", path, err)
	}
	s := &Store{db: db, now: func() time.Time { return time.Now().UTC() }}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating the console database %s: %w", path, err)
	}
	return s, nil
}

// create makes path's directories (0700) and the file itself (0600) if they
// are missing; SQLite gives its -wal and -shm files the database's mode.
func create(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating the directory of the console database: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("creating the console database: %w", err)
	}
	return f.Close()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrate applies, in order and each in its own transaction, the embedded
// migrations numbered above the database's user_version.
func (s *Store) migrate(ctx context.Context) error {
	var have int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return err
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(files)
	for _, f := range files {
		n, err := strconv.Atoi(strings.SplitN(filepath.Base(f), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: its name must start with its number", f)
		}
		if n <= have {
			continue
		}
		if err := s.apply(ctx, f, n); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, file string, n int) error {
	body, err := migrations.ReadFile(file)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n))
		return err
	})
}

// tx runs fn in a write transaction, committed if fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.run(ctx, nil, fn)
}

// read runs fn in a read transaction: one snapshot, taking no write lock.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.run(ctx, &sql.TxOptions{ReadOnly: true}, fn)
}

func (s *Store) run(ctx context.Context, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

func (s *Store) stamp() string { return s.now().Format(time.RFC3339Nano) }

func parseTime(v string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, v) // written by stamp
	return t
}
