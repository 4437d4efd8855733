"""The admins' knowledge-base pages: articles, unanswered questions, Publish."""
