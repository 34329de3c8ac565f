"""Names and lifetimes of the app's cookies, shared by the HTTP routes, the pages and the dev tools."""

SESSION_COOKIE = "hv_session"
SESSION_MAX_AGE = 30 * 24 * 3600
