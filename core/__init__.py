"""Project-wide helpers that every app may use and that import no app: background-task retries, work after a
commit, the staff language, the 503 page, the mail backend, log records, the client address, the admin base for logs."""
