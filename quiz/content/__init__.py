"""Content packs: the pydantic models and the loader.

==================  ==================================================================
``models``          pydantic models of a pack (``extra="forbid"``), each with its docstring
``loader``          find and load packs; every parse or validation error as a located message
==================  ==================================================================
"""

from quiz.content.loader import PackError, Problem, content_root, find_pack_folders, load_all, load_pack
from quiz.content.models import (
    IntroSection,
    Manifest,
    Pack,
    Perspective,
    PerspectiveKey,
    Role,
    RoleKey,
    Statement,
    StatementId,
    Value,
)

__all__ = [
    "IntroSection",
    "Manifest",
    "Pack",
    "PackError",
    "Perspective",
    "PerspectiveKey",
    "Problem",
    "Role",
    "RoleKey",
    "Statement",
    "StatementId",
    "Value",
    "content_root",
    "find_pack_folders",
    "load_all",
    "load_pack",
]
