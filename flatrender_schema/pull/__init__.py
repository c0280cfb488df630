"""`schema pull`: adopt an existing database (see `adopt.pull_tree` and `adopt.check_tree`)."""

from flatrender_schema.pull.adopt import LAYOUTS, PullOptions, PullResult, check_tree, pull_tree

__all__ = ["LAYOUTS", "PullOptions", "PullResult", "check_tree", "pull_tree"]
