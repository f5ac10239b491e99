"""The Message Batches limits, the job marker, and splitting a job into batches.

Standard library only: the batch service imports this on the GUI thread, where the SDK
and pydantic must not be loaded (they cost about a second).

A batch takes at most 100,000 requests and 256 MB of request body (the API reference's
``maxItems: 100000`` on ``requests``, and the batch-processing guide's limits). A job with
more is sent as several batches, each split off in request order.

Every job gets a marker, written into each request's ``custom_id`` before anything is
sent: ``<marker>-<part>-…``. The API has no batch metadata (SDK 2.16:
``batches.create`` takes only ``requests``, and ``MessageBatch`` has no ``metadata``), and
it shows a batch's custom_ids only in its results, so the marker is how an ended batch is
recognised as this job's part when a create must be checked for (see
:meth:`reader_app.ai.batches.BatchClient.find`).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader_app.ai.errors import AiError, AiErrorKind

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from reader_app.ai.request import ToneRequest

RESULTS_GONE = (
    "The batch's results are no longer available: the batch was archived, or it ended more"
    " than 29 days ago. Send the highlights again."
)


class BatchStopped(AiError):
    """A batch that can never be polled or collected: asking again will not help.

    Raised by :class:`~reader_app.ai.batches.BatchClient` for a 401, 402, 403 or 404, a
    spend-limit 429, and for results that are no longer available; the batch service and
    the CLI stop the job with its one line instead of polling on.
    """

    def __init__(
        self,
        kind: AiErrorKind,
        detail: str = "",
        *,
        message: str = "",
        request_id: str = "",
        hint: str = "",
    ) -> None:
        super().__init__(kind, detail, request_id=request_id, hint=hint)
        if message:
            self.message = message
            self.args = (message,)

    @classmethod
    def of(cls, error: AiError) -> BatchStopped:
        """The same failure, marked as one that asking again cannot heal."""
        stopped = cls(error.kind, error.detail, request_id=error.request_id, hint=error.hint)
        stopped.message = error.message  # a message another layer may have set
        return stopped

    @property
    def retryable(self) -> bool:
        """Never: the key, the billing or the batch must change first."""
        return False


MAX_REQUESTS = 100_000
# "256 MB": read as decimal megabytes, the smaller reading, so a part is never refused.
MAX_BODY_BYTES = 256 * 1000 * 1000
# The body around the requests: {"requests": [ … ]}.
_ENVELOPE_BYTES = len(json.dumps({"requests": []}).encode())
_SEPARATOR_BYTES = len(", ")


def new_marker() -> str:
    """A fresh job marker: ``tr`` and ten hex digits, unique for practical purposes."""
    return "tr" + secrets.token_hex(5)


def part_prefix(marker: str, part: int) -> str:
    """The custom_id prefix of every request of one part (one batch) of a job."""
    return f"{marker}-{part}-"


def request_bytes(custom_id: str, params: Mapping[str, Any]) -> int:
    """The size of one request in the batch body, measured as JSON.

    ``json.dumps`` with its defaults (ASCII escapes, spaces after separators) is at least as
    long as what the SDK sends, so the measure errs on the safe side.
    """
    return len(json.dumps({"custom_id": custom_id, "params": params}).encode())


def split(
    sizes: Sequence[int],
    *,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_BODY_BYTES,
) -> list[range]:
    """Split requests, in order, into parts that each fit one batch.

    Args:
        sizes: each request's size from :func:`request_bytes`.
        max_requests: most requests in one batch.
        max_bytes: most bytes in one batch's body (requests, separators and envelope).

    Returns:
        The index ranges of the parts, covering every request once, in order.

    Raises:
        ValueError: no requests, or one request too large for a batch on its own.
    """
    if not sizes:
        raise ValueError("a batch needs at least one request")
    parts: list[range] = []
    start = 0
    total = _ENVELOPE_BYTES
    for index, size in enumerate(sizes):
        if _ENVELOPE_BYTES + size > max_bytes:
            raise ValueError(
                f"request {index + 1} is {size:,} bytes, more than a batch may hold ({max_bytes:,})"
            )
        added = size if index == start else size + _SEPARATOR_BYTES
        if index - start >= max_requests or total + added > max_bytes:
            parts.append(range(start, index))
            start, total = index, _ENVELOPE_BYTES + size
        else:
            total += added
    parts.append(range(start, len(sizes)))
    return parts


@dataclass(frozen=True, slots=True)
class Plan:
    """A job laid out in parts, before anything is sent.

    Attributes:
        records: one dict per request, as the job stores it: ``custom_id``,
            ``highlight_id``, ``part``, ``prompt_version``, ``model``, ``passage`` (kept so
            that results can be validated after a restart) and ``saved``.
        parts: one dict per batch: ``marker`` (its custom_id prefix) and ``size``.
        requests: part → its (custom_id, request) pairs, to send.
    """

    records: list[dict[str, Any]]
    parts: list[dict[str, Any]]
    requests: dict[int, list[tuple[str, ToneRequest]]]


def plan(
    items: Sequence[tuple[int, ToneRequest]],
    *,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_BODY_BYTES,
) -> Plan:
    """Give a job a fresh marker and split its (highlight id, request) pairs into parts.

    Each custom_id is ``<marker>-<part>-h<highlight>-<index>``: unique within the job even
    if a highlight comes twice, in the API's alphabet, at most 64 characters.

    Raises:
        ValueError: no items, or one request too large for a batch on its own.
    """
    marker = new_marker()
    # Measured with the longest custom_id the API allows, so the real ones fit too.
    sizes = [request_bytes("x" * 64, request.api_kwargs()) for _h, request in items]
    records: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    requests: dict[int, list[tuple[str, ToneRequest]]] = {}
    for part, indices in enumerate(split(sizes, max_requests=max_requests, max_bytes=max_bytes)):
        prefix = part_prefix(marker, part)
        parts.append({"marker": prefix, "size": len(indices)})
        for index in indices:
            highlight_id, request = items[index]
            custom_id = f"{prefix}h{highlight_id}-{index}"
            requests.setdefault(part, []).append((custom_id, request))
            records.append({"custom_id": custom_id, "highlight_id": highlight_id, "part": part,
                            "prompt_version": request.prompt_version, "model": request.model,
                            "passage": request.passage, "saved": False})  # fmt: skip
    return Plan(records, parts, requests)
