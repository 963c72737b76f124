"""Test support: real servers for integration tests (`servers`) and their pytest fixtures (`fixtures`)."""
