"""Errors raised by policydiff.

Every error names the file, the cause and the fix, in one line, so the CLI can print it as is
and batch mode can store it as an error row.

Exports: PolicyDiffError (base), InputError, EmptyFileError, UnsupportedFormatError,
CorruptFileError, EncryptedPdfError, NoTextLayerError, FileTooLargeError, ModelNotFoundError,
BinaryFileError, UnreadableFileError, ConfigError (a model, catalog, rules or normalization
file), OutputError, RendererMissingError, BatchBusyError, MetadataError,
LimitExceededError.
"""

from __future__ import annotations

from .textsafe import display_name

__all__ = [
    "PolicyDiffError",
    "InputError",
    "EmptyFileError",
    "BinaryFileError",
    "UnsupportedFormatError",
    "CorruptFileError",
    "EncryptedPdfError",
    "NoTextLayerError",
    "FileTooLargeError",
    "ModelNotFoundError",
    "UnreadableFileError",
    "OutputError",
    "ConfigError",
    "RendererMissingError",
    "BatchBusyError",
    "MetadataError",
    "LimitExceededError",
]


class PolicyDiffError(Exception):
    """Base class: every error policydiff raises on purpose."""

    code = "E000"

    def __init__(self, message: str) -> None:
        # One printable line whatever the file name held (newlines, escapes, bad bytes).
        message = display_name(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


class InputError(PolicyDiffError):
    """A document could not be read as a policy."""

    code = "E100"


class EmptyFileError(InputError):
    """The file has no text at all."""

    code = "E101"

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path}: the file is empty; export the policy again or pick the right file."
        )


class BinaryFileError(InputError):
    """A text file that is really binary data."""

    code = "E102"

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path}: the file holds binary data, not text; "
            "give a .txt, .md, .pdf or .docx policy document."
        )


class UnsupportedFormatError(InputError):
    """The file's format is not one policydiff reads."""

    code = "E103"

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"{path}: unsupported format ({detail}); convert it to PDF, DOCX or plain text."
        )


class CorruptFileError(InputError):
    """The file claims a format but cannot be parsed."""

    code = "E104"

    def __init__(self, path: str, kind: str, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"{path}: the {kind} file is corrupt or truncated{extra}; download or export it again."
        )


class EncryptedPdfError(InputError):
    """A password-protected PDF."""

    code = "E105"

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path}: the PDF is encrypted; remove the password (e.g. print to PDF) and try again."
        )


class NoTextLayerError(InputError):
    """A scanned PDF: pages but no extractable text."""

    code = "E106"

    def __init__(self, path: str, pages: int, chars: int = 0) -> None:
        if chars:
            cause = (
                f"the PDF's {pages} page(s) hold only {chars} character(s) of text, too few "
                "for a policy (an image of the text with a stray text layer?)"
            )
            fix = "run OCR (e.g. ocrmypdf --force-ocr) or export the policy again"
        else:
            cause = f"the PDF has {pages} page(s) but no text layer (a scan)"
            fix = "run OCR first (e.g. ocrmypdf) and try again"
        super().__init__(f"{path}: {cause}; {fix}.")


class FileTooLargeError(InputError):
    """The file is over the size limit."""

    code = "E107"

    def __init__(self, path: str, size: int, limit: int) -> None:
        super().__init__(
            f"{path}: the file is {size:,} bytes, over the {limit:,}-byte limit; "
            "split it or raise the limit with --max-bytes."
        )


class UnreadableFileError(InputError):
    """The path does not exist, is a folder, or cannot be read."""

    code = "E108"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"{path}: cannot read the file ({reason}); check the path and permissions."
        )


class LimitExceededError(InputError):
    """Reading the file would pass one of the reading limits (``analyzer.read_limits``)."""

    code = "E109"

    def __init__(self, path: str, what: str, limit: int, setting: str) -> None:
        super().__init__(
            f"{path}: {what}, over the {limit:,} limit; if the file is genuine, raise the "
            f"limit with the environment variable {setting}=N."
        )


class ModelNotFoundError(PolicyDiffError):
    """An unknown model id or an unreadable model path."""

    code = "E200"

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"{name}: no such model policy; use one of {', '.join(known)}, 'auto', "
            "or the path of a model text file."
        )


class OutputError(PolicyDiffError):
    """A report could not be written (a missing folder, a full disk, no permission)."""

    code = "E300"

    def __init__(self, target: str, error: OSError) -> None:
        reason = error.strerror or type(error).__name__
        super().__init__(
            f"{target}: cannot write the output ({reason}); "
            "check that the folder exists, is writable and has free space."
        )


class ConfigError(PolicyDiffError):
    """A model, catalog, rules or normalization file that cannot be used as it is."""

    code = "E201"

    def __init__(self, path: str, cause: str, fix: str) -> None:
        super().__init__(f"{path}: {cause}; {fix}")


class RendererMissingError(PolicyDiffError):
    """An output format needs a program that is not installed or failed (PDF: Chromium)."""

    code = "E301"


class BatchBusyError(PolicyDiffError):
    """Another batch is writing to the same output folder."""

    code = "E310"

    def __init__(self, out_dir: str, holder: str) -> None:
        super().__init__(
            f"{out_dir}: another policydiff batch ({holder}) is writing to this folder; "
            "wait for it to finish or give another --out."
        )


class MetadataError(PolicyDiffError):
    """The batch --metadata file cannot be read or names no document."""

    code = "E311"
