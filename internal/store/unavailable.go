package store

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Unavailable says, for an error from the store, whether the database could
// not take the request for now rather than refused it: the disk is full,
// another process held the database locked past the busy timeout, or the
// file cannot be written. It returns a sentence for the caller saying which
// and what to do; what was committed before is kept (SQLite's journal rolls
// back only the failed transaction).
func Unavailable(err error) (reason string, ok bool) {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return "", false
	}
	switch e.Code() & 0xff { // the primary code; extended codes add bits above
	case sqlite3.SQLITE_FULL:
		return "the console's database is out of disk space; nothing saved before is lost, but nothing new can be saved until space is freed where it lives", true
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return "the console's database was locked by another process for longer than " + busyTimeout.String() + "; retry shortly, and if it persists stop whatever else has it open", true
	case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return "the console's database cannot be written (the disk or its permissions failed); nothing saved before is lost; the server log has the details", true
	}
	return "", false
}
