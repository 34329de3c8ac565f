"""Download buttons for private files: made for the signed-in person, served to nobody else.

:func:`private_download` is ``st.download_button`` plus a note (quiz.ui.server.private_media) of
whom the file was made for, taken when the file is made (at the click for a deferred file), so the
middleware serves ``/media/<hash>`` only to a request signed in as that person, with
``Cache-Control: no-store``. Used for HR's exports, a person's own data and certificates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from quiz.ui.server import private_media


def private_download(
    label: str, *, data: bytes | str | Callable[[], bytes | str], user_id: int, key: str, **kwargs: Any
) -> bool:
    """``st.download_button`` whose file only ``user_id``'s signed-in requests can fetch."""
    if callable(data):
        make = data

        def made() -> bytes | str:
            body = make()
            private_media.register(body, user_id)
            return body

        return st.download_button(label, data=made, key=key, **kwargs)
    private_media.register(data, user_id)
    return st.download_button(label, data=data, key=key, **kwargs)
