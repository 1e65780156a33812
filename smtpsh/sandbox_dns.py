"""A small DNS server on loopback for a lesson: the zone the sandbox serves, so that a
learner finds the sandbox the way an MTA finds a mail server (`:mx example.org`).

Authoritative for the names it is given and nothing else: a name it has but not of the type
asked is NODATA, any other name NXDOMAIN (it never forwards, never recurses). UDP only (its
answers are a few records: no truncation), on 127.0.0.1 and a free port, in one background
thread that `close()` ends. It remembers the questions it was asked ("MX example.org"), the
last SEEN_MAX of them: the lesson checks a step from what the learner's shell asked.

    dns = LessonDns({"example.org": {"MX": ["10 mx1.example.org."]}})
    dns.start()          # dns.nameserver is "127.0.0.1:PORT", for --nameserver
    ...
    dns.close()
"""

from __future__ import annotations

import select
import socket
import threading
from collections import deque

# name -> record type -> rdata in zone-file form ("10 mx1.example.org.", "127.0.0.1").
Zone = dict[str, dict[str, list[str]]]
SEEN_MAX = 200  # questions remembered
TTL = 60
MAX_QUERY = 512  # a plain DNS question fits; anything larger is not one


def _key(name: str) -> str:
    return name.rstrip(".").lower()


class LessonDns:
    """The lesson's zone on 127.0.0.1 (a free UDP port); `start()`, then `close()`."""

    def __init__(self, zone: Zone) -> None:
        self.zone = {_key(name): records for name, records in zone.items()}
        self.seen: deque[str] = deque(maxlen=SEEN_MAX)
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.port = 0

    @property
    def nameserver(self) -> str:
        """Where to ask, as --nameserver takes it."""
        return f"127.0.0.1:{self.port}"

    def asked(self, question: str) -> bool:
        """Whether the question ("MX example.org") has come, in any case."""
        rdtype, _, name = question.partition(" ")
        wanted = f"{rdtype.upper()} {_key(name)}"
        with self._lock:
            return wanted in self.seen

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        self._sock, self.port = sock, sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="smtpsh-lesson-dns",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _serve(self) -> None:
        sock = self._sock
        assert sock is not None
        while not self._stop.is_set():
            # A short wait, so that close() is seen at once without a wake-up socket.
            ready, _, _ = select.select([sock], [], [], 0.1)
            if not ready:
                continue
            try:
                wire, peer = sock.recvfrom(4096)
                answer = self.answer(wire)
                if answer is not None:
                    sock.sendto(answer, peer)
            except OSError:
                continue  # a client gone (ICMP) must not end the server

    def answer(self, wire: bytes) -> bytes | None:
        """The response to one query as bytes; None for what is not a plain question."""
        import dns.exception
        import dns.flags
        import dns.message
        import dns.rcode
        import dns.rdataclass
        import dns.rdatatype
        import dns.rrset

        if len(wire) > MAX_QUERY:
            return None
        try:
            query = dns.message.from_wire(wire)
        except (dns.exception.DNSException, ValueError):
            return None
        if query.flags & dns.flags.QR or len(query.question) != 1:
            return None
        question = query.question[0]
        name = _key(question.name.to_text())
        rdtype = dns.rdatatype.to_text(question.rdtype)
        with self._lock:
            self.seen.append(f"{rdtype} {name}")
        response: dns.message.Message = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        records = self.zone.get(name)
        if records is None or question.rdclass != dns.rdataclass.IN:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif records.get(rdtype):
            response.answer.append(dns.rrset.from_text_list(
                question.name, TTL, dns.rdataclass.IN, question.rdtype, records[rdtype]))
        return response.to_wire()
