"""The portal's routes, one module per area: ``pages`` (home, language), ``auth`` (sign-in,
sign-out, set-password), ``catalogue`` (datasets) and ``api`` (the JSON API under ``/api/``).
Each route reads the visitor, calls the catalogue's services in one unit of work and renders;
the rules live in ``catalog``."""
