"""The JSON API: OpenAPI 3.1 at /api/openapi.json, docs at /api/docs (assets served locally)."""

from rezerva.api import appointments, owner, owner_appointments, problems, public

api = problems.ProblemDocumentingAPI(
    title="Rezerva API",
    version="1",
    description=(
        "Book one-to-one appointments, group sessions and series. Errors are "
        "application/problem+json."
    ),
    urls_namespace="api",
)
problems.install(api)
api.add_router("/public", public.router)
api.add_router("/public", appointments.router)
api.add_router("/owner", owner.router)
api.add_router("/owner", owner_appointments.router)
