"""What the Rasa server changes in Rasa itself, installed by every class Rasa loads from this project.

Rasa imports our channels, tracker store and NLU components by their class path; each calls `install()`
when Rasa builds it, so the server is patched whatever its configuration names, and nothing is patched by
merely importing a module.
"""

from __future__ import annotations

from bot.rasa_server import heap, outage, speedups


def install() -> None:
    """The per-message work done once (speedups), no half-handled turn when the action server fails, and no
    garbage-collector pause over the loaded model (heap)."""
    speedups.install()
    outage.install()
    heap.install()
