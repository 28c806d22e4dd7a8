"""An auditor for batch fault tests: ``analyzer.api.audit_path`` plus faults named in the file
name. Loaded by the workers by name (``bench.fault_auditor:audit_path``).

* ``crash-once``: the worker kills itself (SIGKILL) the first time, audits normally the next;
* ``crash-always``: the worker kills itself every time;
* ``sleep``: sleeps 60 s (longer than the test's per-document timeout);
* ``deleter``: deletes every file whose name contains ``zz-deleted`` in the same folder,
  then audits normally (a file deleted while the batch runs).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import analyzer.batch_preload  # noqa: F401 - workers fork warm
from analyzer.api import audit_path as _audit_path


def audit_path(path: str, *, model: str = "auto") -> dict[str, Any]:
    name = Path(path).name
    if "crash-once" in name:
        marker = Path(path).with_name(".crashed-" + name)
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.close(fd)
            os.kill(os.getpid(), signal.SIGKILL)
    if "crash-always" in name:
        os.kill(os.getpid(), signal.SIGKILL)
    if "sleep" in name:
        time.sleep(60)
    if "deleter" in name:
        for other in Path(path).parent.glob("*zz-deleted*"):
            other.unlink(missing_ok=True)
    return _audit_path(path, model=model)
