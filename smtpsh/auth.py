"""SASL client mechanisms for SMTP AUTH (RFC 4954), pure and sans-IO.

A mechanism is a small object made with the credentials it needs. The session asks it for
``initial_response()`` (sent on the AUTH line, or None when there is none) and then for
``respond(challenge)`` once per 334 reply, with the challenge already base64-decoded. Both
return a ``Response``: the raw bytes to send (the session base64-encodes them) and ``secret``,
whether those bytes must be redacted. A LOGIN user name is not secret, its password is; a
PLAIN, XOAUTH2 or OAUTHBEARER blob is, and so is a CRAM-MD5 answer, since its digest allows an
offline guess at the password. A challenge the mechanism has no answer for raises
``UnexpectedChallenge``; the shell then cancels with ``CANCEL`` or lets the user type.

``NEEDS`` says, as data, which inputs each mechanism needs, so the shell knows what to ask for,
and ``needs_at`` when; ``SECRET_INPUTS`` are asked without echo. The inputs are attributes of
the mechanism (``user``, ``password``, ``token`` ...), read when an answer is due, so the shell
may fill them in step by step. ``secret_forms()`` lists every string under which a
secret can show up, for the transcript's redaction rule.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from smtpsh.protocol import Reply

CANCEL = "*"  # RFC 4954 §4: a client line of "*" cancels the exchange

NEEDS: dict[str, tuple[str, ...]] = {
    "PLAIN": ("user", "password"),
    "LOGIN": ("user", "password"),
    "CRAM-MD5": ("user", "password"),
    "XOAUTH2": ("user", "token"),
    "OAUTHBEARER": ("user", "token"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {"PLAIN": ("authzid",)}
SECRET_INPUTS = frozenset({"password", "token"})
# When each input is needed, so the shell asks for it as the server's challenge comes (LOGIN
# asks for the user name, then for the password); by default all at the first step.
STEPS: dict[str, tuple[tuple[str, ...], ...]] = {"LOGIN": (("user",), ("password",))}


def needs_at(name: str, step: int) -> tuple[str, ...]:
    """The inputs mechanism `name` needs before answering its step `step` (0 is the first)."""
    steps = STEPS.get(name, (NEEDS.get(name, ()),))
    return steps[step] if step < len(steps) else ()


@dataclass(frozen=True)
class Response:
    """Raw bytes for the wire (not base64) and whether they must be redacted."""

    data: bytes
    secret: bool


class UnexpectedChallenge(Exception):
    """The server sent a challenge this mechanism has no answer for."""


class Mechanism:
    """One client side of one exchange. Call initial_response() once, then respond()."""

    name: ClassVar[str]
    can_initiate: ClassVar[bool] = True

    def __init__(self, initial: bool = True) -> None:
        self.initial = initial and self.can_initiate
        self._step = 0

    def initial_response(self) -> Response | None:
        if not self.initial:
            return None
        return self._next(b"")

    def respond(self, challenge: bytes) -> Response:
        return self._next(challenge)

    def _next(self, challenge: bytes) -> Response:
        # Steps are counted from the first message the client sends, initial or not, so
        # that an exchange with and without an initial response runs the same script.
        step, self._step = self._step, self._step + 1
        return self._answer(step, challenge)

    def _answer(self, step: int, challenge: bytes) -> Response:
        raise NotImplementedError


class Plain(Mechanism):
    """RFC 4616: authzid NUL authcid NUL passwd, in one message."""

    name = "PLAIN"

    def __init__(self, user: str, password: str, authzid: str = "", initial: bool = True) -> None:
        super().__init__(initial)
        self.user, self.password, self.authzid = user, password, authzid

    def _answer(self, step: int, challenge: bytes) -> Response:
        if step == 0:
            return Response(f"{self.authzid}\0{self.user}\0{self.password}".encode(), True)
        raise UnexpectedChallenge(challenge)


class Login(Mechanism):
    """The LOGIN draft: the user name, then the password.

    Servers word the challenges as they like ("Username:", "User Name", nothing), so the
    answer goes by position, never by the challenge text.
    """

    name = "LOGIN"

    def __init__(self, user: str, password: str, initial: bool = False) -> None:
        super().__init__(initial)
        self.user, self.password = user, password

    def _answer(self, step: int, challenge: bytes) -> Response:
        if step == 0:
            return Response(self.user.encode(), False)
        if step == 1:
            return Response(self.password.encode(), True)
        raise UnexpectedChallenge(challenge)


class CramMd5(Mechanism):
    """RFC 2195: the user name, a space and the hex HMAC-MD5 of the challenge."""

    name = "CRAM-MD5"
    can_initiate = False  # the server speaks first: the answer needs its challenge

    def __init__(self, user: str, password: str) -> None:
        super().__init__(initial=False)
        self.user, self.password = user, password

    def _answer(self, step: int, challenge: bytes) -> Response:
        if step != 0:
            raise UnexpectedChallenge(challenge)
        digest = hmac.new(self.password.encode(), challenge, hashlib.md5).hexdigest()
        return Response(f"{self.user} {digest}".encode(), secret=True)


class _Bearer(Mechanism):
    """A token blob, then, on an error challenge, the answer that lets the server fail."""

    error_answer: ClassVar[bytes]

    def __init__(self, user: str, token: str, initial: bool) -> None:
        super().__init__(initial)
        self.user, self.token = user, token

    def blob(self) -> bytes:
        raise NotImplementedError

    def _answer(self, step: int, challenge: bytes) -> Response:
        if step == 0:
            return Response(self.blob(), secret=True)
        if step == 1:
            return Response(self.error_answer, secret=False)
        raise UnexpectedChallenge(challenge)


class XOAuth2(_Bearer):
    """Google's XOAUTH2: user=U ^A auth=Bearer T ^A^A; an error challenge gets an empty line."""

    name = "XOAUTH2"
    error_answer = b""

    def __init__(self, user: str, token: str, initial: bool = True) -> None:
        super().__init__(user, token, initial)

    def blob(self) -> bytes:
        return xoauth2_blob(self.user, self.token)


class OAuthBearer(_Bearer):
    """RFC 7628 OAUTHBEARER; an error challenge gets a lone ^A (§3.2.3)."""

    name = "OAUTHBEARER"
    error_answer = b"\x01"

    def __init__(
        self, user: str, token: str, host: str = "", port: int = 0, initial: bool = True
    ) -> None:
        super().__init__(user, token, initial)
        self.host, self.port = host, port

    def blob(self) -> bytes:
        return oauthbearer_blob(self.user, self.token, self.host, self.port)


MECHANISMS: dict[str, type[Mechanism]] = {
    m.name: m for m in (Plain, Login, CramMd5, XOAuth2, OAuthBearer)
}


def create(
    name: str,
    *,
    user: str = "",
    password: str = "",
    authzid: str = "",
    token: str = "",
    host: str = "",
    port: int = 0,
    initial: bool | None = None,
) -> Mechanism:
    """Make the mechanism called ``name``; ``initial=None`` keeps its usual choice."""
    match name.upper():
        case "PLAIN":
            mech: Mechanism = Plain(user, password, authzid)
        case "LOGIN":
            mech = Login(user, password)
        case "CRAM-MD5":
            mech = CramMd5(user, password)
        case "XOAUTH2":
            mech = XOAuth2(user, token)
        case "OAUTHBEARER":
            mech = OAuthBearer(user, token, host, port)
        case _:
            raise ValueError(f"unsupported SASL mechanism: {name}")
    if initial is not None:
        mech.initial = initial and mech.can_initiate
    return mech


def xoauth2_blob(user: str, token: str) -> bytes:
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


def oauthbearer_blob(user: str, token: str, host: str = "", port: int = 0) -> bytes:
    # RFC 5801 §4: "," and "=" in a GS2 saslname are written =2C and =3D.
    authzid = user.replace("=", "=3D").replace(",", "=2C")
    gs2 = f"n,a={authzid}," if user else "n,,"
    pairs = [f"host={host}"] if host else []
    pairs += [f"port={port}"] if port else []
    pairs.append(f"auth=Bearer {token}")
    return (gs2 + "".join(f"\x01{p}" for p in pairs) + "\x01\x01").encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes | None:
    """Decode base64 strictly; None when ``text`` is not base64 (the shell shows it raw)."""
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def decode_challenge_for_display(b64text: str) -> str:
    """A challenge as readable text: control and undecodable bytes escaped, junk as is."""
    from smtpsh.escape import escape, escape_bytes

    raw = unb64(b64text)
    text = escape(b64text, tab=True) if raw is None else escape_bytes(raw, tab=True)
    # One printable line: format characters too (U+0600...) are shown as code points.
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def carried_secrets(b64text: str) -> list[bytes]:
    """What a base64 SASL answer carries that a server might echo decoded: the whole
    decoded text, the password of a PLAIN blob (after its last NUL), the token of an
    XOAUTH2/OAUTHBEARER blob."""
    raw = unb64(b64text)
    if not raw:
        return []
    found = [raw]
    if b"\0" in raw:
        found.append(raw.rsplit(b"\0", 1)[1])
    for field in raw.split(b"\x01"):
        if field.lower().startswith(b"auth=bearer "):
            found.append(field[12:])
    return [f for f in found if f]


# Shorter base64 fragments would match ordinary words of a transcript.
_MIN_FRAGMENT = 4


def secret_forms(secrets: list[str | bytes]) -> list[str]:
    """Every string under which one of ``secrets`` can be seen, longest first.

    For each secret: its clear text, its base64, and the base64 characters it fixes inside
    any longer base64 text, at each of the three offsets it can have there. That last form
    covers the PLAIN, XOAUTH2 and OAUTHBEARER blobs whatever the user name around it; pass
    the whole client responses too (the ``Response.data`` marked secret) so that a blob is
    redacted whole. Longest first, so that a replacer that goes in order redacts a whole
    blob before a part of it. A secret under 4 bytes is too short for the fragments, which
    would then match ordinary text; only its clear text and its own base64 are listed.
    """
    forms: set[str] = set()
    for secret in secrets:
        raw = secret.encode() if isinstance(secret, str) else secret
        if not raw:
            continue
        forms.add(b64(raw))
        try:
            forms.add(raw.decode())
        except UnicodeDecodeError:
            pass  # not text, so it is never shown in clear
        for shift in range(3):
            encoded = b64(bytes(shift) + raw)
            # Characters whose 6 bits all come from the secret: from the first one that
            # starts at or after its first bit, up to the last one that ends by its last bit.
            first = -(-8 * shift // 6)
            last = 8 * (shift + len(raw)) // 6
            fragment = encoded[first:last]
            if len(fragment) >= _MIN_FRAGMENT:
                forms.add(fragment)
    return sorted(forms, key=lambda f: (-len(f), f))


# --- the exchange as a step machine ------------------------------------------------------


class Outcome(Enum):
    AUTHENTICATED = "authenticated"  # 235 (RFC 4954 6)
    REFUSED = "refused"  # 4xx/5xx
    CANCELLED = "cancelled"  # the client sent "*", the server answered 501
    NOT_235 = "not-235"  # a 2xx other than 235: not authenticated


@dataclass(frozen=True)
class Challenge:
    """A 334: the server waits for an answer. `needs`: inputs to give before `answer()`."""

    text: str  # the base64 as sent
    decoded: bytes | None  # None when it is not base64
    needs: tuple[str, ...]  # "user", "password", "token"; "answer" for base64 by hand


@dataclass(frozen=True)
class Done:
    outcome: Outcome
    code: int


Step = Challenge | Done


class Exchange:
    """One AUTH exchange (RFC 4954), without I/O: the client core drives it.

    `command()` is the AUTH line; `step(reply)` reads each reply and says what comes next:
    a `Challenge` to answer (after giving the inputs it `needs`) with `answer()`, or `Done`.
    Success is a 235 and nothing else; a "*" (`cancel()`) answered by 501 is a cancel, as
    asked. A mechanism smtpsh does not run, or an initial response typed by the user, makes
    a manual exchange: the user types each base64 answer.
    """

    def __init__(self, name: str, mech: Mechanism | None = None,
                 typed_initial: str | None = None) -> None:
        self.name = name.upper()
        self.mech = mech
        self.typed_initial = typed_initial
        self.inputs: dict[str, str] = {}
        self.cancelled = False
        self._step = 0  # answers given so far by the mechanism

    @classmethod
    def typed(cls, line: str) -> Exchange:
        """The exchange of an AUTH line typed as is: manual (the user answers in base64)."""
        words = line.split()[1:]
        return cls(words[0] if words else "", None, words[1] if len(words) > 1 else None)

    @property
    def manual(self) -> bool:
        return self.mech is None

    @property
    def user(self) -> str | None:
        return self.inputs.get("user") or None

    def command(self) -> str:
        # SASL mechanism names are upper case (RFC 4422 3.1); some servers match exactly.
        words = ["AUTH", self.name] if self.name else ["AUTH"]
        if self.typed_initial is not None:
            words.append(self.typed_initial)
        return " ".join(words)

    def shown_command(self) -> str:
        """The AUTH line as shown: an initial response typed by hand is a secret."""
        line = self.command()
        return line if self.typed_initial is None else f"AUTH {self.name} [redacted]"

    def step(self, reply: Reply) -> Step:
        if reply.code == 334 and not self.cancelled:
            text = reply.text.strip()
            if self.mech is None:
                needs: tuple[str, ...] = ("answer",)
            else:
                needs = tuple(n for n in needs_at(self.name, self._step)
                              if n not in self.inputs)
            return Challenge(text, unb64(text), needs)
        if reply.code == 235:
            return Done(Outcome.AUTHENTICATED, reply.code)
        if self.cancelled and reply.code == 501:
            return Done(Outcome.CANCELLED, reply.code)
        if reply.klass == 2:
            return Done(Outcome.NOT_235, reply.code)
        if reply.code == 334:  # a challenge after "*": the server ignored the cancel
            return Done(Outcome.REFUSED, reply.code)
        return Done(Outcome.REFUSED, reply.code)

    def give(self, name: str, value: str) -> None:
        """An input the mechanism needs (user, password, token, authzid)."""
        self.inputs[name] = value
        if self.mech is not None:
            setattr(self.mech, name, value)

    def answer(self, challenge: Challenge) -> Response:
        """The mechanism's answer to `challenge` (raw bytes; the caller base64-encodes).

        Raises UnexpectedChallenge when the mechanism has no answer: then `cancel()`.
        """
        assert self.mech is not None
        resp = self.mech.respond(challenge.decoded if challenge.decoded is not None else b"")
        self._step += 1
        return resp

    def remaining_inputs(self) -> tuple[str, ...]:
        """The inputs the mechanism would still have asked for (a script skips its lines)."""
        if self.mech is None or self.cancelled:
            return ()
        return tuple(n for n in NEEDS.get(self.name, ()) if n not in self.inputs)
