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
