"""The domain operations: verb-named functions that check rules, change models and flush (never commit)."""
