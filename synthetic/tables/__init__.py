"""Reference tables shipped as package data (CSV files next to this module)."""
