"""Imported by the batch forkserver before it forks any worker: warms the engine once.

Importing this module audits each bundled model's own text once (loading spaCy, the models,
their normalized forms and caches), so every worker forked from the forkserver starts warm
and shares those pages copy-on-write, instead of paying seconds of warm-up per worker (and
per renewal). A failure here only costs speed: it is swallowed.

Exports: warm() -- do the warm-up (idempotent)
"""

from __future__ import annotations

__all__ = ["warm"]

_WARM = False


def warm() -> None:
    global _WARM
    if _WARM:
        return
    _WARM = True
    try:
        from analyzer.api import audit_text
        from analyzer.baselines import load_model, model_ids

        for model_id in model_ids():
            audit_text(load_model(model_id).text, model="auto", path="<warm-up>")
    except Exception:  # noqa: BLE001 - warm-up is an optimisation, never a failure
        pass


warm()
