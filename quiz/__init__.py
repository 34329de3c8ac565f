"""Hvidovrevejen e-læring: a learning and quiz platform with question types and content packs as plugins."""

__version__ = "0.1.0"
