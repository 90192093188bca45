from tests.catalog.fixtures import catalog, catalog_url, demo_catalog, settings, store

__all__ = ["catalog", "catalog_url", "demo_catalog", "settings", "store"]
