"""Safe projects: permit applications, their terms, lifecycle, rules and service, the builds
the pipeline records, and the public register."""
