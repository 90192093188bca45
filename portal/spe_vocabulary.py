"""Names and plain-word explanations of the SPE's and the airlock's codes, marked for
translation: disclosure rules of suppressed cells, refusal rules of queries, request states,
automated verdicts, why a steward may not review, and the check before release.

The SPE and the catalogue return codes (``spe.disclosure.Rule``, ``QueryRefused.rule``,
``catalog.airlock``); people read these words in their language. A code without an entry
here gets the generic text of its table.
"""

from __future__ import annotations

from portal.i18n import N_

# Suppressed cells: the rule's short name, and what it protects against in plain words.
RULE_NAMES = {
    "threshold": N_("Too few people"),
    "zero": N_("Too few people"),
    "dominance": N_("Dominance"),
    "p-percent": N_("p-percent rule"),
    "differencing": N_("Differencing"),
    "linked-differencing": N_("Linked differencing"),
    "secondary": N_("Secondary suppression"),
}
RULE_EXPLANATIONS = {
    "threshold": N_(
        "Fewer people than the minimum are behind this cell (or none at all), so it could point to someone."
    ),
    "zero": N_(
        "Fewer people than the minimum are behind this cell (or none at all), so it could point to someone."
    ),
    "dominance": N_(
        "One or two people make up most of this total, so it would show roughly what they contribute."
    ),
    "p-percent": N_(
        "The rest of this total is so small that it would let someone estimate the largest "
        "contribution closely."
    ),
    "differencing": N_(
        "This total would let someone subtract the groups already released and find a small group of people."
    ),
    "linked-differencing": N_(
        "Added to and subtracted from several totals already released, this total would single out "
        "a small group of people (or there are too many related totals to be sure it would not)."
    ),
    "secondary": N_(
        "Hidden as well, so that another hidden cell cannot be worked out from this one and the totals."
    ),
}
UNKNOWN_RULE = N_("Hidden by disclosure control.")

# Refused queries, by ``QueryRefused.rule``.
REFUSALS = {
    "shape": N_(
        "Disclosure control cannot check a query of this form. Write one SELECT of aggregates (count, "
        "sum, avg) over the permit's tables, grouped by columns: no row-level output, no LIMIT, "
        "HAVING, window functions, UNION or files."
    ),
    "statement": N_(
        "Only one SELECT statement runs at a time: other statements, and several statements "
        "together, are refused."
    ),
    "parse": N_("The query could not be read. Check its syntax."),
    "sql_error": N_(
        "The database could not run this query (an unknown table or column, a wrong type). Check the "
        "names against the tables listed beside the editor."
    ),
    "time_limit": N_("The query took longer than the time limit and was stopped."),
    "memory_limit": N_("The query needed more memory than the limit and was stopped."),
    "result_size": N_("The result has too many rows. Group by fewer or coarser columns."),
    "versions": N_("The data versions asked for do not belong to this permit."),
    "not_published": N_("This permit's datasets are not in the secure environment yet."),
}
UNKNOWN_REFUSAL = N_("The query was refused.")
STATUSES = {
    "ok": N_("Answered"),
    "refused": N_("Refused"),
    "denied": N_("Denied"),
}

# Release requests.
STATES = {
    "submitted": N_("Waiting for review"),
    "under_review": N_("Under review"),
    "released": N_("Released"),
    "rejected": N_("Rejected"),
}
VERDICTS = {
    "pass": N_("Passed: no cell suppressed"),
    "suppressed": N_("Cells suppressed: they stay hidden in the output"),
}
VOTES = {"approve": N_("Approve"), "reject": N_("Reject")}
REVIEW_REFUSALS = {
    "not_steward": N_("Only data stewards review outputs."),
    "author": N_("You wrote this request: its author may never review it."),
    "data_user": N_("You are a named data user of this permit, so you may not review its outputs."),
    "applicant": N_("You applied for this permit, so you may not review its outputs."),
    "already_voted": N_(
        "You have voted on this request. The other vote stays hidden until both stewards have voted."
    ),
    "not_reviewable": N_("This request is decided: there is nothing left to review."),
}
RELEASE_CHECKS = {
    "pass": N_("Disclosure control ran again before release and gave the same table."),
    "changed": N_(
        "Disclosure control, run again before release, would now hide more cells: the output was "
        "not released."
    ),
    "unavailable": N_(
        "Disclosure control could not run again before release (the data versions read are gone, or "
        "the query was refused): the output was not released."
    ),
}

# Form messages: the release request's context and a steward's vote.
CONTEXT_ERRORS = {
    ("shows", "missing"): N_("Say what this output shows."),
    ("shows", "too_short"): N_("Describe what this output shows in at least %(min)s characters."),
    ("shows", "too_long"): N_("Describe what this output shows in at most %(max)s characters."),
    ("needed_for", "missing"): N_("Say why this output must leave the secure environment."),
    ("needed_for", "too_short"): N_("Say why this output is needed in at least %(min)s characters."),
    ("needed_for", "too_long"): N_("Say why this output is needed in at most %(max)s characters."),
}
