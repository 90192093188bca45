"""The languages de-identification knows, apart from the engine that knows them: the driver
of a Spark job names them without importing Presidio and spaCy (about 2 s of every pipeline
process), which only the Python workers that de-identify need."""

LANGUAGES = ("fr", "nl", "en", "de")
