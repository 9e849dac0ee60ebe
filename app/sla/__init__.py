"""Service-level agreements: deadlines for leads and questions, counted in business hours.

``app.business_time`` is the pure (database-free) business-hours arithmetic; whatever stores
an organisation's calendar or computes a lead's deadline builds on it.
"""
