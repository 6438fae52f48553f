"""The REST API: /v1 jobs, uploads, events, ops endpoints and the seeds' routes.

Kept import-light: workers import ``app.api.tasks`` without pulling in FastAPI routers.
"""
