from typing import TypeVar

from django.db.models import Model

from parley.core.errors import NotFound

M = TypeVar("M", bound=Model)


def get_or_404(model: type[M], pk: int, what: str) -> M:
    """Load a row by id for an admin or assignment endpoint; a missing id is a 404."""
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"{what} {pk} not found")
    return found
