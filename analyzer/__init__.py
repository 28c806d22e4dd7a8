"""policydiff: audit policy documents against a model policy, clause by clause."""

__version__ = "0.1.0"
