"""The live session's Streamlit screens: the facilitator's control page and its view of the room.

==================  ==================================================================
``control``         the facilitator's controls: buttons, the room, moderation, results
``projector``       the room's moments on the facilitator's own page
``widgets``         what the live pages share: join link and QR code, bars, the question
``stage_link``      the secret stage link for a signed-out projector PC, and closing it
``pick``            which session a facilitator's page shows (``?session=``), checked
``watch``           one watcher per process over the live tables; fragments that follow it
``push``            server push of the phones' fragments
==================  ==================================================================
"""
