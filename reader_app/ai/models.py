"""The model catalogue: the built-in default, the fallback list, and which model to use.

The window, the tone panel, the settings dialog and the command line all ask this module,
so they agree on one default. Listing the API's models needs the SDK and stays in
:meth:`reader_app.ai.client.ClaudeToneAnalyzer.list_models`; this module only chooses from
a listing. It imports neither ``anthropic`` nor :mod:`reader_app.ai.client`: the SDK
costs about a second to import, which the start-up path must not pay (DESIGN.md §6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

# The model when the user has chosen none and none could be listed (offline, no key, or
# the command line, which does not spend an API call on listing).
DEFAULT_MODEL = "claude-haiku-4-5"

# The settings dialog's built-in choices, shown until the API's list is fetched: the
# default first, then the better-quality models.
FALLBACK_MODELS: tuple[str, ...] = (DEFAULT_MODEL, "claude-sonnet-4-6", "claude-opus-4-6")


class ListedModel(Protocol):
    """A model of the API's listing, as far as choosing the default needs it.

    :class:`reader_app.ai.client.ModelChoice` is one; a protocol, so this module need not
    import the client.
    """

    @property
    def id(self) -> str: ...  # noqa: D102
    @property
    def line(self) -> str | None: ...  # noqa: D102


def choose_default_model(models: Sequence[ListedModel]) -> str:
    """The model to use when the user has not chosen one.

    Args:
        models: active models, newest first (as
            :meth:`~reader_app.ai.client.ClaudeToneAnalyzer.list_models` gives).

    Returns:
        The newest Haiku (fast and cheap, which short tone labels need), else the newest
        model, else :data:`DEFAULT_MODEL`.
    """
    for model in models:
        # Older listings carry no line: the id still names the family.
        if model.line == "haiku" or (model.line is None and "haiku" in model.id):
            return model.id
    return models[0].id if models else DEFAULT_MODEL


def model_to_use(chosen: str, discovered: str | None = None) -> str:
    """The model a request goes to.

    Args:
        chosen: the user's choice (``Settings.model``, or a ``--model`` option); empty
            when none was made.
        discovered: the default found by listing the API's models
            (:func:`choose_default_model`), when it was listed. The command line never
            lists, so it passes none.

    Returns:
        The user's choice if any, else the discovered default, else :data:`DEFAULT_MODEL`.
    """
    return chosen or discovered or DEFAULT_MODEL
