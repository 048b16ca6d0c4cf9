"""Routers of the API, one per resource."""
