"""Quality: Great Expectations suites per source, the quality gate, and the EHDS data
quality and utility label. The row rules that quarantine unparseable rows live in
``quality.row_rules`` until the suites land here.
"""
