"""What the replays of the replaced design's example clients share: a connection's inbox, read as
the examples read theirs, and the endpoint they are pointed at."""

import asyncio
import json
import time

import websockets


class Inbox:
    """What one connection received, read as the examples' `_message_handler` reads it (`async for
    message in self.ws`, each a JSON text), kept so a step can wait for what it expects."""

    def __init__(self, ws):
        self.ws = ws
        self.messages = []
        self.closed = None
        self.arrived = asyncio.Event()
        self.task = asyncio.create_task(self.read())

    async def read(self):
        try:
            async for message in self.ws:
                self.messages.append(json.loads(message))
                self.arrived.set()
        except websockets.exceptions.ConnectionClosed as closed:
            self.closed = closed
        self.closed = self.closed or True
        self.arrived.set()

    async def next_of(self, type_, after=0, timeout=20):
        """The first message of `type_` from the `after`th on; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages[after:]:
                if message.get("type") == type_:
                    return message
            left = deadline - time.monotonic()
            assert left > 0, f"no {type_} in {[m.get('type') for m in self.messages[after:]]}"
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except TimeoutError:
                pass

    def types(self, after=0):
        return [message.get("type") for message in self.messages[after:]]


def ws_endpoint(server):
    """The examples' `api_endpoint` (`wss://….execute-api…/prod` there): Dragoman's /ws."""
    return server.base_url.replace("http://", "ws://") + "/ws"
