"""RFC 6455 at the byte level, so the fuzzer can send what no WebSocket library would."""

import base64
import os
import socket
import struct
import time


def handshake(port: int, query: str, headers: str = "") -> tuple[socket.socket, int, bytes]:
    """Opens /ws?query; returns the socket, the HTTP status and any bytes read past the head."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws?{query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{headers}\r\n"
        ).encode()
    )
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return sock, status, rest


def frame(opcode: int, payload: bytes, fin: bool = True, mask: bool = True, rsv: int = 0, declared_length: int | None = None) -> bytes:
    """One frame; `declared_length` lies about the payload's length."""
    length = len(payload) if declared_length is None else declared_length
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    mask_bit = 0x80 if mask else 0
    if length < 126:
        header = struct.pack("!BB", first, mask_bit | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        header = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + bytes(byte ^ key[index % 4] for index, byte in enumerate(payload))


def text(message: str | bytes) -> bytes:
    return frame(0x1, message.encode() if isinstance(message, str) else message)


def read_frames(sock: socket.socket, rest: bytes = b"", timeout: float = 3.0):
    """Reads the server's frames until it closes or `timeout` passes quietly; returns
    ([(opcode, payload)], close code or None)."""
    frames, buffer, close_code = [], rest, None
    sock.settimeout(0.2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        while len(buffer) >= 2:
            opcode, length, offset = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    break
                length, offset = struct.unpack("!H", buffer[2:4])[0], 4
            elif length == 127:
                if len(buffer) < 10:
                    break
                length, offset = struct.unpack("!Q", buffer[2:10])[0], 10
            if len(buffer) < offset + length:
                break
            payload, buffer = buffer[offset:offset + length], buffer[offset + length:]
            frames.append((opcode, payload))
            if opcode == 0x8:
                close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                return frames, close_code
            deadline = time.monotonic() + timeout
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        buffer += chunk
    return frames, close_code
