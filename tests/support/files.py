"""Files for attachment tests: bytes that look like a PDF, of any length, reproducibly."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["pdf_bytes", "write_pdf"]

_HEADER = b"%PDF-1.4\n"


def pdf_bytes(size: int, seed: int = 0) -> bytes:
    """``size`` bytes starting like a PDF; the rest is a hash chain, so no two runs of 3
    bytes line up by accident and base64 mistakes show."""
    blocks = [_HEADER]
    state = seed.to_bytes(8, "big")
    total = len(_HEADER)
    while total < size:
        state = hashlib.sha256(state).digest()
        blocks.append(state)
        total += len(state)
    return b"".join(blocks)[:size]


def write_pdf(path: Path, size: int, seed: int = 0, block: int = 1 << 20) -> Path:
    """Write a ``size``-byte PDF-looking file a block at a time (large files stay cheap)."""
    with path.open("wb") as handle:
        left, part = size, 0
        while left > 0:
            piece = pdf_bytes(min(block, left), seed + part)
            handle.write(piece)
            left -= len(piece)
            part += 1
    return path
