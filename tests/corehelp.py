"""Driving the sans-IO client in tests: commands in, reply bytes in, events out."""

from __future__ import annotations

from smtpsh.client import Client, Event
from smtpsh.protocol import NeedData


def wire(answer: str) -> bytes:
    """Reply lines given with "\\n" between them, as a server sends them (CRLF)."""
    return b"".join(line.encode() + b"\r\n" for line in answer.split("\n"))


def events(client: Client) -> list[Event]:
    out: list[Event] = []
    while not isinstance(ev := client.next_event(), NeedData):
        out.append(ev)
    return out


def feed(client: Client, data: bytes, bytewise: bool = False) -> list[Event]:
    """Feed `data` whole or one byte at a time; the events are the same either way."""
    if not bytewise:
        client.receive_data(data)
        return events(client)
    out: list[Event] = []
    for i in range(len(data)):
        client.receive_data(data[i:i + 1])
        out += events(client)
    return out


def talk(client: Client, line: str | None, answer: str, bytewise: bool = False) -> list[Event]:
    """Send `line` (None: nothing, e.g. for the greeting) and feed the server's `answer`."""
    if line is not None:
        client.send(line)
    return feed(client, wire(answer), bytewise)
