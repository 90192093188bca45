"""Policy dashboards: the registry of released aggregates, and dashboards drawn from it only."""
