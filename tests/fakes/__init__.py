"""Test-only fakes of outside services (Stripe) that the real client libraries can talk to."""
