"""One module per monitor command; `default_registry()` imports them all."""
