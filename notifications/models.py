"""The e-mail outbox: messages are queued in the transaction that causes them, sent after it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model
from core.timeutils import utcnow


class EmailStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the maximum number of attempts


class OutboundEmail(Model):
    __tablename__ = "outbound_emails"
    __table_args__ = (Index("ix_outbound_emails_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: what the message is about ("order_confirmation"), for listings and tests
    kind: Mapped[str] = mapped_column(String(40), default="")
    #: makes "send once" messages idempotent (e.g. "producer_list:cycle=3:producer=7")
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[EmailStatus] = mapped_column(
        Enum(EmailStatus, native_enum=False, length=10), default=EmailStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
