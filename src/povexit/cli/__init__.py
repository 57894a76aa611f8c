"""Command-line interface (Typer). Business logic lives in the core packages, never here."""
