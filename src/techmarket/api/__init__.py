"""The JSON API (django-ninja): listings, organisations and catalogue counts, documented by OpenAPI.

Routes are mounted under /api/ by techmarket.urls (include("techmarket.api.urls")); see docs/api.md.
"""
