"""What counts as a delivered message, per channel.

Sources: WhatsApp Cloud API status webhooks (sent, delivered, read, failed); MSG91
delivery reports (delivered, failed, rejected for DLT); Resend email events (delivered,
opened, clicked, bounced, complained); Exotel call status (completed, busy, no-answer,
failed).
"""

from __future__ import annotations

# The provider confirmed the message reached the person (or the call was answered).
DELIVERED_STATUSES = ("delivered", "read", "opened", "clicked", "completed")

# Not yet attempted: left out of the delivery rate's denominator.
NOT_ATTEMPTED_STATUSES = ("queued",)

CHANNELS = ("whatsapp", "sms", "email", "call")

# Outcomes that weigh on an email sender's reputation (Resend's bounce and spam rates).
BOUNCED_STATUSES = ("bounced",)
COMPLAINED_STATUSES = ("complained",)

# Each channel's delivery funnel: (stage, the statuses that reached it; None: every message
# attempted). A message that was read was also delivered, so stages are cumulative.
FUNNELS: dict[str, tuple[tuple[str, tuple[str, ...] | None], ...]] = {
    "whatsapp": (("Sent", None), ("Delivered", ("delivered", "read")), ("Read", ("read",))),
    "sms": (("Sent", None), ("Delivered", ("delivered",))),
    "email": (("Sent", None), ("Delivered", ("delivered", "opened", "clicked")),
              ("Opened", ("opened", "clicked")), ("Clicked", ("clicked",))),
    "call": (("Dialled", None), ("Answered", ("completed",))),
}

# How a message was lost, per channel, in words (the provider's status -> what it means).
LOST: dict[str, dict[str, str]] = {
    "whatsapp": {"failed": "Failed (see the error codes)"},
    "sms": {"failed": "Failed at the operator", "rejected": "Rejected (DLT or NDNC)"},
    "email": {"bounced": "Bounced", "complained": "Marked as spam"},
    "call": {"busy": "Busy", "no_answer": "No answer", "failed": "Failed to connect"},
}
