"""Zivo back-office: the internal tool that keeps Zivo CRM's privacy promises and its
integrations running. See README.md and ../shared/DESIGN.md."""
