"""The app's pages, one file each, named in English; their Danish addresses are their ``url_path``.

``FILES`` maps each address (what a link or bookmark holds) to its file; ``app.py`` registers
them with ``st.Page(..., url_path=address)``, so every link made before the files had English
names still works.
"""

FILES: dict[str, str] = {
    "log_ind": "sign_in",
    "forside": "home",
    "intro": "intro",
    "quiz": "quiz",
    "fremskridt": "progress",
    "deltag": "join",
    "profil": "profile",
    "tilgaengelighed": "accessibility",
    "adgangskode": "set_password",
    "facilitator": "facilitator",
    "praesentation": "stage",
    "styring": "control",
    "tidligere": "past_sessions",
    "live_plan": "live_plan",
    "admin": "admin",
    "min_enhed": "my_unit",
}


def path(address: str) -> str:
    """The page file of ``address`` (e.g. ``"styring"``), relative to the repository root."""
    return f"quiz/ui/pages/{FILES[address]}.py"
