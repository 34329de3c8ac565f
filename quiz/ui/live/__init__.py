"""The live session's Streamlit screens: the facilitator's control page and the projector.

==================  ==================================================================
``control``         the facilitator's controls: buttons, the room, moderation, results
``projector``       what the room sees: lobby, question, reveal and results
``widgets``         what the live pages share: join link and QR code, bars, the question
``stage_link``      the secret presenter link for a signed-out projector PC, and closing it
``pick``            which session a facilitator's page shows (``?session=``), checked
``watch``           one watcher per process over the live tables; fragments that follow it
``push``            server push of the phones' fragments
==================  ==================================================================
"""
