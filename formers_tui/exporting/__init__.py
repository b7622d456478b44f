"""Turning stored interviews into documents, tables and reports. No UI."""
