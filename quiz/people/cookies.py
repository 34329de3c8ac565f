"""Names and lifetimes of the app's cookies, shared by the HTTP routes, the pages and the dev tools."""

SESSION_COOKIE = "hv_session"
SESSION_MAX_AGE = 30 * 24 * 3600
# The language chosen on the sign-in page, a live phone or the profile; the server's <html lang> follows it.
LANGUAGE_COOKIE = "hv_lang"
LANGUAGE_MAX_AGE = 365 * 24 * 3600

# A random nonce per browser, set by the /auth/browser route before sign-in: sign-in codes are
# bound to it (quiz.people.login_codes) and the guessing brake counts per browser (quiz.people.auth).
BROWSER_COOKIE = "hv_browser"
BROWSER_MAX_AGE = 400 * 24 * 3600
