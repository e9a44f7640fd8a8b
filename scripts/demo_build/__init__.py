"""The demo builder's parts: shapes, facts read from data/sources, self-checks and the writers."""
