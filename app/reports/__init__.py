"""Management's tables: aggregated in SQL over the organisation's leads, follow-ups, SLA
events and spend, for a period of local dates, each compared with the period before and the
same dates a year earlier."""
