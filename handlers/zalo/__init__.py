"""Zalo Official Account: a second front door for citizens (issue 11)."""
