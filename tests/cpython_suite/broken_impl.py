"""minipool with one deliberate bug, to show that the CPython suite notices.

The bug: cancel() on a future that is already cancelled returns False
(it must return True).
"""

from typing import Any

import minipool
from minipool import *  # noqa: F403


class Future(minipool.Future[Any]):
    def cancel(self) -> bool:
        if self.cancelled():
            return False
        return super().cancel()
