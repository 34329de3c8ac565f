"""The HR page's screens (``quiz/ui/pages/admin.py`` lays them out).

==================  ==================================================================
``onboarding``      the programme and its statuses, units, the people import
``reminders``       what the next remind run sends, the last runs, »Send nu«; the leader's reminder
``cache``           the HR page's figures, shared by every admin's session for a minute
``columns``         the people table's column settings, made once per language and process
==================  ==================================================================
"""
