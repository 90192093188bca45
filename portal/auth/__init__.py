"""Who is visiting: session cookies (``sessions``), CSRF tokens (``csrf``) and the sign-in
throttle (``throttle``). The rules of sign-in itself live in ``catalog.people.sessions``."""
