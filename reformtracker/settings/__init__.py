"""Settings: `base` (development defaults, SQLite), `test`, `production`."""
