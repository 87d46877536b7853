"""Files: atomic writes (a reader sees the old file or the new one, never half of either), and reading a small
file a user named without hanging on a pipe or reading a directory."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over `path`."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        # The rename survives a power cut only once the directory entry is on disk too.
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_user_file(path: Path, *, what: str, limit: int) -> str:
    """The UTF-8 text of a small file a user named, or an InputError naming it and the fix.

    A directory, a pipe or a device is refused without reading from it (opened non-blocking, so a FIFO
    with no writer cannot hang the caller), and so is a file over `limit` bytes.
    """
    from .errors import InputError

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError as exc:
        raise InputError(f"{what} {path} not found; check the path") from exc
    except OSError as exc:
        raise InputError(f"{what} {path} cannot be read ({exc.strerror}); check the path and its permissions") from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{what} {path} is a directory; give a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{what} {path} is not a regular file (a pipe or device); save it to a file first")
        if info.st_size > limit:
            raise InputError(f"{what} {path} is {info.st_size:,} bytes, over the {limit:,}-byte limit; give a "
                             "smaller file")
        data = os.read(fd, limit + 1)
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} {path} is not UTF-8 text (an invalid byte at offset {exc.start}); save it as "
                         "UTF-8") from exc
