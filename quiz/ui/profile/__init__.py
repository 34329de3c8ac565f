"""The profile page's sections (``quiz/ui/pages/profile.py`` lays them out).

==================  ==================================================================
``password``        change my password; also the page shown first after HR set one
``language``        the app's language, kept on the account
``reminders``       where the person stands in the onboarding programme
``data``            "Mine data": a readable download of one's records, and deleting the account
==================  ==================================================================
"""
