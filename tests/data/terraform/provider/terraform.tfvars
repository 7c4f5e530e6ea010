audit_days = 7
