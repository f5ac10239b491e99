"""Whether a model can answer a tone analysis at all, checked before anything is sent.

A tone analysis asks for structured output (``output_config.format`` with a JSON schema).
A model without it would answer with a 400 at best, or with free text that fails the
schema after it has been paid for. What the API's model listing says about a model
(``capabilities.structured_outputs.supported``) wins; a model it has not listed is looked
up in the catalogue; a model neither knows is let through (the API will say).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.ai.catalogue import CATALOGUE, spec_for
from reader_app.ai.errors import AiError, AiErrorKind

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# Named when nothing better is known: the newest Haiku of the catalogue with structured outputs.
_FALLBACK = "claude-haiku-5-5"


def supports_structured_outputs(model: str, listed: Mapping[str, bool]) -> bool | None:
    """True or False when the listing or the catalogue knows; None when neither does."""
    if model in listed:
        return listed[model]
    spec = spec_for(model)
    return None if spec is None else spec.structured_outputs


def suggested_model(listed: Mapping[str, bool]) -> str:
    """The model to choose instead: the newest Haiku with structured outputs.

    Args:
        listed: model id → structured outputs supported, from the API's listing (newest
            first); the catalogue is used when it names none.
    """
    for model, supported in listed.items():
        if supported and model.startswith("claude-haiku-"):
            return model
    for spec in CATALOGUE:
        if spec.family == "haiku" and spec.structured_outputs and listed.get(spec.id, True):
            return spec.id
    return _FALLBACK


def structured_outputs_error(model: str, listed: Mapping[str, bool]) -> AiError | None:
    """The AiError refusing ``model`` for a structured answer, or None when it may be used.

    Args:
        model: the model the request names.
        listed: model id → structured outputs supported, from the API's listing.
    """
    if supports_structured_outputs(model, listed) is not False:
        return None
    instead = suggested_model(listed)
    return AiError(
        AiErrorKind.NO_STRUCTURED_OUTPUTS,
        f"{model}: capabilities.structured_outputs is not supported; nothing was sent",
        fields={"model": model, "instead": instead},
    )


def listed_structured_outputs(infos: Iterable[object]) -> dict[str, bool]:
    """Model id → structured outputs supported, for the listed models that say.

    Args:
        infos: the SDK's ``ModelInfo`` objects, in the order listed (newest first).
    """
    found: dict[str, bool] = {}
    for info in infos:
        support = getattr(getattr(info, "capabilities", None), "structured_outputs", None)
        supported = getattr(support, "supported", None)
        model = getattr(info, "id", None)
        if isinstance(supported, bool) and isinstance(model, str):
            found[model] = supported
    return found
