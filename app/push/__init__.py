"""Web Push: VAPID keys, browser subscriptions, the reminder outbox and its sender.

The SLA check puts reminders in the outbox with ``outbox.enqueue_reminder``; the scheduler
calls ``sender.deliver_due(now)``, which sends them as encrypted Web Push messages
(RFC 8291 aes128gcm, RFC 8292 VAPID) to every subscription of the recipient.
"""
