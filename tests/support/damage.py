"""Ways a stored file can be damaged: what the index and FAQ stores must survive by building again."""

from __future__ import annotations

import pytest

damaged = pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:100] + bytes(range(256)) * 4 + data[1124:],  # corrupt
        lambda data: b"",  # empty
        lambda data: b"\xe9" + data[1:],  # marshal of another type code
    ],
    ids=["truncated", "corrupt", "empty", "garbage"],
)
