"""Plutchik's eight basic emotions, and the colours of his wheel (DESIGN.md §6)."""

from __future__ import annotations

EMOTIONS: tuple[str, ...] = (
    "joy", "trust", "fear", "surprise", "sadness", "disgust", "anger", "anticipation"
)  # fmt: skip

PLUTCHIK_COLORS: dict[str, str] = {
    "joy": "#f5c518",
    "trust": "#8bc34a",
    "fear": "#1b7a3a",
    "surprise": "#26c6da",
    "sadness": "#1e63c6",
    "disgust": "#8e44ad",
    "anger": "#d32f2f",
    "anticipation": "#f57c00",
}
