"""CMS adapters: each module owns one blueprint on the route CONTRACT.md section 5 gives it.

An adapter parses the CMS's request into a :class:`engine.Comment`, moderates it through
:func:`webhook.moderation.moderate` and renders the decision as that CMS expects, through a configurable map.
"""

from __future__ import annotations

from . import akismet, coral, discourse, perspective

BLUEPRINTS = (coral.bp, discourse.bp, akismet.bp, perspective.bp)
