"""The lean pages' own worker threads: a few, instead of the forty Starlette lends every route.

Each request of a phone or the stage reads progress.db and most answers write to it, in a thread so
the event loop keeps sending the room's pushes. With Starlette's default pool, up to forty threads
took turns on the one interpreter lock and on the write lock while 2,000 phones answered: a writer
holding the write lock waited for its turn on the interpreter behind threads that only wait for it.
:data:`WORKERS` threads keep all the cores SQLite can use busy, and the rest of the requests queue
in order on the event loop instead.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

WORKERS = 4
_POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="lean-page")


async def in_worker(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in one of the lean pages' threads (each keeps its own connection)."""
    return await asyncio.get_running_loop().run_in_executor(_POOL, functools.partial(fn, *args, **kwargs))
