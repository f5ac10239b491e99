"""The model catalogue: the built-in default, the fallback list, and which model to use.

The window, the tone panel, the settings dialog and the command line all ask this module,
so they agree on one default. Listing the API's models needs the SDK and stays in
:meth:`reader_app.ai.client.ClaudeToneAnalyzer.list_models`; this module only chooses from
a listing. It imports neither ``anthropic`` nor :mod:`reader_app.ai.client`: the SDK
costs about a second to import, which the start-up path must not pay (DESIGN.md §6).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from reader_app.ai.catalogue import CATALOGUE, EFFORTS, newest, spec_for

if TYPE_CHECKING:
    from collections.abc import Sequence


def _catalogue_default() -> str:
    haiku = newest("haiku")
    if haiku is None:  # pragma: no cover - the catalogue always has a Haiku
        return CATALOGUE[0].id
    return haiku.id


# The model when the user has chosen none and none could be listed (offline, no key, or a
# command line whose profile has never listed): the catalogue's newest Haiku that
# supports structured outputs (``claude-haiku-5-5``).
DEFAULT_MODEL = _catalogue_default()

# The settings dialog's built-in choices, shown until the API's list is fetched: the
# default first, then the newest model of each better-quality family.
_BETTER = (newest(family) for family in ("sonnet", "opus", "fable"))
FALLBACK_MODELS: tuple[str, ...] = (DEFAULT_MODEL, *(s.id for s in _BETTER if s is not None))


class ListedModel(Protocol):
    """A model of the API's listing, as far as choosing the default needs it.

    :class:`reader_app.ai.client.ModelChoice` is one; a protocol, so this module need not
    import the client. A listing that carries capabilities also has
    ``structured_outputs: bool | None`` (read when present; None: the listing does not
    say).
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
        The newest Haiku that supports structured outputs (fast and cheap, which short
        tone labels need; the answer is a JSON schema's), else the newest model that
        supports them, else :data:`DEFAULT_MODEL`. Whether a model supports structured
        outputs comes from the listing's capabilities, else from the catalogue, else (an
        older listing naming a model the catalogue does not know) it is assumed.
    """
    fitting = [model for model in models if supports_structured_outputs(model)]
    for model in fitting:
        # Older listings carry no line: the id still names the family.
        if model.line == "haiku" or (model.line is None and "haiku" in model.id):
            return model.id
    return fitting[0].id if fitting else DEFAULT_MODEL


def supports_structured_outputs(model: ListedModel) -> bool:
    """Whether a listed model takes a JSON schema: its capabilities, else the catalogue."""
    listed = getattr(model, "structured_outputs", None)
    if isinstance(listed, bool):
        return listed
    spec = spec_for(model.id)
    return True if spec is None else spec.structured_outputs


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


def listed_capabilities(info: object) -> dict[str, Any]:
    """A listed model's capabilities and limits (an SDK ``ModelInfo``, read by name).

    Returns:
        ``structured_outputs``, ``batch``, ``thinking`` (each ``capabilities.<name>
        .supported``, None when the listing does not say), ``efforts`` (the supported
        effort levels, None when not listed), and ``max_input_tokens`` / ``max_tokens``
        when listed: the extra fields of :class:`~reader_app.ai.client.ModelChoice`.
    """
    caps = getattr(info, "capabilities", None)

    def supported(entry: object) -> bool | None:
        flag = getattr(entry, "supported", None)
        return flag if isinstance(flag, bool) else None

    effort = getattr(caps, "effort", None)
    any_effort = supported(effort)
    efforts: tuple[str, ...] | None = None
    if any_effort is not None:
        efforts = tuple(
            level for level in EFFORTS if any_effort and supported(getattr(effort, level, None))
        )
    limits = {
        name: value
        for name in ("max_input_tokens", "max_tokens")
        if isinstance(value := getattr(info, name, None), int)
    }
    return {
        "structured_outputs": supported(getattr(caps, "structured_outputs", None)),
        "batch": supported(getattr(caps, "batch", None)),
        "thinking": supported(getattr(caps, "thinking", None)),
        "efforts": efforts,
        **limits,
    }


def as_listing(choice: object) -> dict[str, Any]:
    """A listed model in the API's listing shape, for ``catalogue.merge_listing``.

    ``choice`` is a :class:`~reader_app.ai.client.ModelChoice` (read by name).
    """
    item: dict[str, Any] = {
        name: getattr(choice, name, None) for name in ("id", "line", "created_at")
    }
    for name in ("max_input_tokens", "max_tokens"):
        if isinstance(value := getattr(choice, name, None), int):
            item[name] = value
    capabilities: dict[str, Any] = {}
    for name in ("structured_outputs", "batch", "thinking"):
        if isinstance(flag := getattr(choice, name, None), bool):
            capabilities[name] = {"supported": flag}
    efforts = getattr(choice, "efforts", None)
    if isinstance(efforts, tuple):
        capabilities["effort"] = {"supported": bool(efforts)} | {
            level: {"supported": level in efforts} for level in EFFORTS
        }
    if capabilities:
        item["capabilities"] = capabilities
    return item
