"""Clinical vocabulary that de-identification must keep, one CSV per kind (see ``clinical_terms``)."""
