"""A real DNS server on loopback for tests (dnslib), serving a zone given as a dict.

    ZONE = {
        "example.test": [("MX", "10 mx1.example.test."), ("A", "127.0.0.1")],
        "alias.example.test": [("CNAME", "mx1.example.test.")],
        "broken.test": "SERVFAIL",          # an rcode instead of records
    }
    with ZoneServer(ZONE) as server:       # UDP and TCP on 127.0.0.1:server.port
        DnsLookup(server.nameserver)

Names not in the dict are NXDOMAIN; a name with records but none of the asked type is NODATA;
CNAMEs are followed inside the zone, as an authoritative server does.
"""

from __future__ import annotations

import socket
from types import TracebackType

from dnslib import QTYPE, RCODE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

Zone = dict[str, list[tuple[str, str]] | str]


def _key(name: object) -> str:
    return str(name).rstrip(".").lower()


class ZoneResolver(BaseResolver):
    def __init__(self, zone: Zone) -> None:
        self.zone = zone  # read on each query, so a test may change it while serving

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()  # sets aa=1
        qtype = QTYPE[request.q.qtype]
        name = _key(request.q.qname)
        for _ in range(8):  # bound on CNAME chains
            entry = self.zone.get(name)
            if entry is None:
                reply.header.rcode = RCODE.NXDOMAIN
                break
            if isinstance(entry, str):
                reply.header.rcode = getattr(RCODE, entry)
                break
            cname = [rdata for rtype, rdata in entry if rtype == "CNAME"]
            if cname and qtype != "CNAME":
                reply.add_answer(*RR.fromZone(f"{name}. 60 IN CNAME {cname[0]}"))
                name = _key(cname[0])
                continue
            for rtype, rdata in entry:
                if qtype in (rtype, "ANY"):
                    reply.add_answer(*RR.fromZone(f"{name}. 60 IN {rtype} {rdata}"))
            break
        return reply


class ZoneServer:
    """Serve `zone` on 127.0.0.1, UDP and TCP on one free port, in background threads."""

    def __init__(self, zone: Zone, address: str = "127.0.0.1") -> None:
        self.zone = zone
        self.address = address
        self.port = 0
        self._servers: list[DNSServer] = []

    @property
    def nameserver(self) -> str:
        """As `--nameserver` takes it."""
        return f"{self.address}:{self.port}"

    def start(self) -> ZoneServer:
        resolver = ZoneResolver(self.zone)
        logger = DNSLogger(logf=lambda _line: None)  # quiet: pytest output stays readable
        for _ in range(20):  # the free UDP port may be taken for TCP: pick another
            udp = DNSServer(resolver, address=self.address, port=0, logger=logger)
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(resolver, address=self.address, port=port, tcp=True, logger=logger)
            except OSError:
                udp.server.server_close()
                continue
            self.port, self._servers = port, [udp, tcp]
            for server in self._servers:
                server.start_thread()
            return self
        raise OSError("no free port for both UDP and TCP")

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
            server.server.server_close()
        self._servers = []

    def __enter__(self) -> ZoneServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class SilentServer:
    """A UDP socket on loopback that never answers: a name server that timed out."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.address, self.port = self.sock.getsockname()

    @property
    def nameserver(self) -> str:
        return f"{self.address}:{self.port}"

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sock.close()
