"""Following a person through time: filters, the jump guard, the tracker, holds."""
