"""Permit applications on the portal: the task-list forms and what they turn into
(``forms``), what researchers and stewards read of an application (``views``), the names of
its codes (``vocabulary``) and the JSON API's models (``schemas``). The rules live in
``catalog.permits``."""
