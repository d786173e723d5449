"""Civility's policy engine: load a policy, decide a comment, explain the decision.

This package does no network IO and never imports Flask; the webhook and the CLI are shells over it.
"""

from .decide import decide as decide
from .errors import PolicyError as PolicyError
from .model import Author as Author
from .model import Comment as Comment
from .model import CommentError as CommentError
from .model import Decision as Decision
from .model import Hit as Hit
from .model import Reason as Reason
from .model import Verdict as Verdict
from .model import failed_closed as failed_closed
from .policy import Policy as Policy
from .policy import load_policy as load_policy
from .policy import policy_digest as policy_digest
from .policy import policy_files as policy_files

__all__ = [
    "Author",
    "Comment",
    "CommentError",
    "Decision",
    "Hit",
    "Policy",
    "PolicyError",
    "Reason",
    "Verdict",
    "decide",
    "failed_closed",
    "load_policy",
    "policy_digest",
    "policy_files",
]
