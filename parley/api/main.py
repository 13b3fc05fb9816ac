"""The REST API under /api/v1; OpenAPI at /api/docs."""

from ninja import NinjaAPI

from parley.kb import api as articles
from parley.replies import api as saved_replies

from . import admin, agents, conversations, customers, inbound, rules
from .auth import TokenAuth
from .errors import install_error_handlers
from .parser import StrictJsonParser

api = NinjaAPI(
    title="Parley API",
    version="1",
    auth=TokenAuth(),
    parser=StrictJsonParser(),
    docs_url="/docs",
    urls_namespace="api",
    description="Personal API tokens (`parley token`) carry their agent's permissions. "
    "Errors are JSON objects with a stable `code` and a human `detail`.",
)
install_error_handlers(api)
api.add_router("/v1", conversations.router)
api.add_router("/v1", customers.router)
api.add_router("/v1", admin.router)
api.add_router("/v1", inbound.router)
api.add_router("/v1", rules.router)
api.add_router("/v1", agents.router)
api.add_router("/v1", articles.router)
api.add_router("/v1", saved_replies.router)
