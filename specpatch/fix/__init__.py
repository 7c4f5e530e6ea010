"""Fix engine: findings in, text edits out, result verified before anyone sees it."""
