"""What every feature shares: settings, the database and its tables, states, HTTP helpers."""
