-- A join code may be bound to the one address it enrols (issue 27): a code read over someone's shoulder enrols nothing else.
ALTER TABLE join_code ADD COLUMN bound_address VARCHAR(64);
