"""Importing history from spreadsheets: CSV files of past inquiries and their follow-ups."""
