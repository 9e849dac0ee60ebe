"""Service-level agreements: deadlines for leads and questions, counted in business hours.

``app.business_time`` is the pure (database-free) business-hours arithmetic; whatever stores
an organisation's calendar or computes an item's deadline builds on it. Here:

- ``timed``: the registry of timed kinds; a domain (``app.leads.sla``) registers its own.
- ``clock``: one clock's columns and arithmetic (start, advance, meet, pause).
- ``events``: the clock steps a domain takes, each recorded in ``sla_events``.
- ``policies``: which target applies (defaults, the per-transaction read), policy CRUD.
- ``calendars``: which business hours count, calendar CRUD.
- ``quiet_hours``: when a person may be told.
- ``check``: the scheduler's check over every registered kind, and its reminders.
- ``cache``: what a transaction has read of the settings.

``app.sla`` never imports a domain (``app.leads``…): imports point down.
"""
