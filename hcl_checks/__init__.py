"""Checkov external checks for plangate (Checkov loads no check from a folder without this file)."""
