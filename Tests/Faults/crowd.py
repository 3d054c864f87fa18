"""Many clients at once, on asyncio, each from a loopback source address of its own choosing
(127.0.0.0/8 is all loopback on Linux), so a test can play thousands of people behind a few dozen
addresses: raw HTTP/1.1 and RFC 6455 WebSocket clients, nothing in between."""

import asyncio
import base64
import json
import os
import struct
import urllib.parse


class Refused(Exception):
    """The upgrade was answered with another status than 101."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


def frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = bytes([0x80 | opcode, 0x80 | length])
    elif length < 65_536:
        header = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack("!H", length)
    else:
        header = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack("!Q", length)
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes((mask * (length // 4 + 1))[:length], "big")).to_bytes(length, "big")
    return header + mask + masked


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One server frame (unmasked): its opcode and payload."""
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", await reader.readexactly(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", await reader.readexactly(8))[0]
    return first & 0x0F, await reader.readexactly(length)


class Socket:
    """One WebSocket to `/ws`: opened, upgraded, then read one frame at a time (pings answered)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int, source: str, query: dict, headers: dict | None = None, timeout: float = 20) -> "Socket":
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET /ws?{urllib.parse.urlencode(query)} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13", *[f"{name}: {value}" for name, value in (headers or {}).items()],
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        except BaseException:
            writer.transport.abort()
            raise
        status = int(head.split(b" ", 2)[1])
        if status != 101:
            writer.transport.abort()
            raise Refused(status)
        return cls(reader, writer)

    async def message(self, timeout: float = 20) -> dict:
        """The next JSON text message; pings are answered on the way."""
        while True:
            opcode, payload = await asyncio.wait_for(read_frame(self.reader), timeout)
            if opcode == 0x9:
                self.writer.write(frame(0xA, payload))
            elif opcode == 0x8:
                raise ConnectionError("closed by the server")
            elif opcode == 0x1:
                return json.loads(payload)

    def send(self, message: dict | bytes):
        self.writer.write(frame(0x1, message if isinstance(message, bytes) else json.dumps(message).encode()))

    def drop(self):
        """Gone without a close, as a phone leaving the Wi-Fi."""
        self.writer.transport.abort()


async def http_status(port: int, source: str, path: str, headers: dict | None = None, timeout: float = 10) -> int:
    """The status of a plain GET from `source`."""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), timeout)
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close", *[f"{n}: {v}" for n, v in (headers or {}).items()]]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        return int(head.split(b" ", 2)[1])
    finally:
        writer.transport.abort()


async def upgrade_status(port: int, source: str, query: dict, headers: dict | None = None) -> int:
    """The status of a `/ws` upgrade from `source`: 101, or the refusal's."""
    try:
        socket = await Socket.open(port, source, query, headers)
    except Refused as refused:
        return refused.status
    socket.drop()
    return 101
