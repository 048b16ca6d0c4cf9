"""What every domain uses, built once, importing no domain app (see docs/architecture.md)."""
