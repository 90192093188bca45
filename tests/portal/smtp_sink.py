"""A tiny SMTP server for tests: it accepts every message on 127.0.0.1 and keeps it.

Enough of RFC 5321 for ``smtplib`` (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), run by
asyncio in a thread of its own; no dependency. Each received message is parsed with the
standard library's ``email`` package.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return str(self.message.get_content())


@dataclass
class SMTPSink:
    """Start with ``start()``, read ``messages``, stop with ``stop()``."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Received] = field(default_factory=list)

    def start(self) -> SMTPSink:
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(asyncio.start_server(self._session, self.host, 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="smtp-sink", daemon=True)
        self._thread.start()
        ready.wait(5)
        return self

    def stop(self) -> None:
        def close() -> None:
            self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(close)
        self._thread.join(5)
        self._loop.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(line: str) -> None:
            writer.write(line.encode("ascii") + b"\r\n")

        sender, recipients = "", []
        reply("220 sink ESMTP ready")
        await writer.drain()
        while line := await reader.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                reply("250-sink" if verb == "EHLO" else "250 sink")
                if verb == "EHLO":
                    reply("250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip().split(" ")[0].strip("<>"), []
                reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                reply("250 OK")
            elif verb == "DATA":
                reply("354 end with <CRLF>.<CRLF>")
                await writer.drain()
                data = await self._data(reader)
                parsed = message_from_bytes(data, policy=policy.default)
                self.messages.append(Received(sender, recipients, parsed))  # type: ignore[arg-type]
                reply("250 OK queued")
            elif verb == "QUIT":
                reply("221 bye")
                await writer.drain()
                break
            else:  # RSET, NOOP and anything else
                reply("250 OK")
            await writer.drain()
        writer.close()

    @staticmethod
    async def _data(reader: asyncio.StreamReader) -> bytes:
        lines = []
        while (line := await reader.readline()) not in (b".\r\n", b".\n", b""):
            line = line[1:] if line.startswith(b"..") else line
            lines.append(line.rstrip(b"\r\n") + b"\n")  # SMTP's CRLF is transport: give back lines
        return b"".join(lines)
