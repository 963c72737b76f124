"""A minimal DICOM header reader for the allow-listed attributes: the harvester's fast path.

``pydicom.dcmread(stop_before_pixels=True)`` builds a full Dataset of every header element (~1,200
files/s per core here). Harvesting needs a few dozen top-level attributes, so this reader walks the
element headers of a Part 10 file in explicit or implicit VR little endian (every compressed transfer
syntax is explicit VR little endian), *skips* (seeks over) every value it does not need, decodes
only the allow-listed ones, and stops at the first tag past the last one it needs (or Pixel Data).
Anything else — big endian, deflated, no Part 10 preamble, a wanted sequence (SEG / RTSTRUCT
content), a malformed element — raises :class:`NeedsPydicom` and the caller reads the file with
pydicom instead (same allow-list), so odd files cost the slow path, never a wrong answer.
"""

from __future__ import annotations

import struct
from typing import IO, Any

_EXPLICIT_LE = "1.2.840.10008.1.2.1"
_IMPLICIT_LE = "1.2.840.10008.1.2"
_BIG_ENDIAN = "1.2.840.10008.1.2.2"
_DEFLATED = {"1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.8.1"}
_LONG_VRS = {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"UC", b"UN", b"UR", b"UT", b"SV", b"UV"}
_ITEM, _ITEM_END, _SEQ_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_PIXEL_DATA = 0x7FE00010
MEDIA_STORAGE_SOP_CLASS = 0x00020002
_UNDEFINED = 0xFFFFFFFF
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_TAG = struct.Struct("<HH")
_EXPL_SHORT = struct.Struct("<HH2sH")


class NeedsPydicom(Exception):
    """This file is outside the fast reader's scope; read it with pydicom."""


class NotDicom(Exception):
    """Not a DICOM Part 10 file (and not a recognisable bare data set)."""


class Truncated(Exception):
    """The file ends inside its header."""


def _read_exact(fh: IO[bytes], n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise Truncated(f"the header ends after {fh.tell()} bytes")
    return data


def _skip(fh: IO[bytes], n: int, size: int) -> None:
    pos = fh.tell() + n
    if pos > size:
        raise Truncated(f"an element runs past the end of the file ({size} bytes)")
    fh.seek(pos)


def _skip_undefined_sequence(fh: IO[bytes], size: int, explicit: bool, depth: int = 0) -> int:
    """Skip a sequence of undefined length (items until the sequence delimiter); returns its items."""
    if depth > 16:
        raise NeedsPydicom("sequences nested too deeply")
    items = 0
    while True:
        g, e = _TAG.unpack(_read_exact(fh, 4))
        tag = (g << 16) | e
        length = _U32.unpack(_read_exact(fh, 4))[0]
        if tag == _SEQ_END:
            return items
        if tag != _ITEM:
            raise NeedsPydicom("malformed sequence")
        items += 1
        if length != _UNDEFINED:
            _skip(fh, length, size)
            continue
        # an item of undefined length: elements until the item delimiter
        while True:
            g, e = _TAG.unpack(_read_exact(fh, 4))
            tag = (g << 16) | e
            if tag == _ITEM_END:
                _read_exact(fh, 4)
                break
            vr, length = _element_header(fh, explicit)
            if length == _UNDEFINED:
                if vr not in (b"SQ", b"UN", None):
                    raise NeedsPydicom("undefined length outside a sequence")
                _skip_undefined_sequence(fh, size, explicit, depth + 1)
            else:
                _skip(fh, length, size)


def _element_header(fh: IO[bytes], explicit: bool) -> tuple[bytes | None, int]:
    """VR (explicit only) and value length of the element whose tag was just read."""
    if not explicit:
        return None, _U32.unpack(_read_exact(fh, 4))[0]
    vr = _read_exact(fh, 2)
    if vr in _LONG_VRS:
        _read_exact(fh, 2)
        return vr, _U32.unpack(_read_exact(fh, 4))[0]
    if not (65 <= vr[0] <= 90 and 65 <= vr[1] <= 90):
        raise NeedsPydicom("not explicit VR where the transfer syntax says so")
    return vr, _U16.unpack(_read_exact(fh, 2))[0]


def read_header(
    fh: IO[bytes], size: int, wanted: dict[int, str], sequences: frozenset[int], last_tag: int
) -> dict[int, bytes]:
    """Raw value bytes of the ``wanted`` top-level tags present (file meta not included).

    ``sequences``: wanted tags that are sequences (their presence is reported as ``b""``; reading their
    content needs pydicom: raises :class:`NeedsPydicom` when ``content_sequences`` should be parsed).
    """
    if size < 132:
        raise NotDicom("too short to be a DICOM file")
    head = _read_exact(fh, 132)
    if head[128:132] != b"DICM":
        raise NeedsPydicom("no DICOM Part 10 preamble")
    # file meta information: explicit VR little endian, group 0002
    tsuid = ""
    meta_sop = b""
    while True:
        pos = fh.tell()
        raw = fh.read(4)
        if len(raw) < 4:
            raise Truncated("the file ends inside its file meta information")
        g, e = _TAG.unpack(raw)
        if g != 0x0002:
            fh.seek(pos)
            break
        _vr, length = _element_header(fh, True)
        if length == _UNDEFINED:
            raise NeedsPydicom("undefined length in the file meta information")
        if e == 0x0010:
            tsuid = _read_exact(fh, length).rstrip(b"\x00 ").decode("ascii", "replace")
        elif e == 0x0002:
            meta_sop = _read_exact(fh, length)
        else:
            _skip(fh, length, size)
    if tsuid == _EXPLICIT_LE or (tsuid.startswith("1.2.840.10008.1.2.4") or tsuid == "1.2.840.10008.1.2.5"):
        explicit = True
    elif tsuid == _IMPLICIT_LE:
        explicit = False
    elif tsuid == _BIG_ENDIAN or tsuid in _DEFLATED:
        raise NeedsPydicom("big endian or deflated transfer syntax")
    elif tsuid.startswith("1.2.840.10008.1.2"):
        explicit = True
    else:
        raise NeedsPydicom("unknown transfer syntax")
    out: dict[int, bytes] = {MEDIA_STORAGE_SOP_CLASS: meta_sop} if meta_sop else {}
    while True:
        raw = fh.read(4)
        if len(raw) < 4:
            if raw:
                raise Truncated(f"the file ends inside an element tag at byte {fh.tell()}")
            break  # end of file: a header without pixel data
        g, e = _TAG.unpack(raw)
        tag = (g << 16) | e
        if tag > last_tag or tag == _PIXEL_DATA:
            break
        if g == 0xFFFE:
            raise NeedsPydicom("item tag at the top level")
        _vr, length = _element_header(fh, explicit)
        if tag in wanted:
            if tag in sequences:
                raise NeedsPydicom("a wanted sequence")
            if length == _UNDEFINED:  # a sequence whose presence is all we use
                out[tag] = b"\x01" if _skip_undefined_sequence(fh, size, explicit) else b""
            else:
                out[tag] = _read_exact(fh, length)
        elif length == _UNDEFINED:
            _skip_undefined_sequence(fh, size, explicit)
        else:
            _skip(fh, length, size)
    return out


def decode_text(raw: bytes) -> str:
    """A string value (ASCII / Latin-1; non-ASCII values are rare in the allow-listed attributes)."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.rstrip("\x00 ").lstrip(" ")


def decode_values(raw: bytes) -> list[str]:
    return [v.strip() for v in decode_text(raw).split("\\")]


def decode_fd(raw: bytes) -> list[float]:
    n = len(raw) // 8
    return list(struct.unpack(f"<{n}d", raw[: n * 8])) if n else []


def decode(raw: bytes, vr: str) -> Any:
    """A Python value for an allow-listed element: str (single) or list[str] (multi), floats for FD."""
    if vr == "FD":
        return decode_fd(raw)
    if vr == "SQ":
        return bool(raw)
    values = decode_values(raw)
    if len(values) == 1:
        return values[0]
    return values
