"""Pydantic classes generated from schemas/cikg.yaml by `make gen` (do not edit by hand).

Import the classes from :mod:`cikg.model.cikg`.
"""
