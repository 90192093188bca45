"""The datasets a data access body publishes: HealthDCAT-AP metadata, RDF export, quality labels."""
