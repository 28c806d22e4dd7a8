"""policydiff: audit policy documents against a model policy, clause by clause."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``analyzer.load_corpus(db)``: every table of a batch database as pandas DataFrames
    (imported on first use, so ``import analyzer`` stays light)."""
    if name == "load_corpus":
        from .store_export import load_corpus

        return load_corpus
    raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
