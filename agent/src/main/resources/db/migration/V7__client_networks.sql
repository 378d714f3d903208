-- The networks a cluster's applications connect from (comma-separated CIDRs); pg_hba lets them in to the databases.
ALTER TABLE cluster ADD COLUMN client_networks VARCHAR(4000) DEFAULT '' NOT NULL;
