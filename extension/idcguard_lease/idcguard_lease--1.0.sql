\echo Use "CREATE EXTENSION idcguard_lease" to load this file. \quit

-- Milliseconds left on this server's lease (negative once it ran out), NULL without a lease file.
CREATE FUNCTION idcguard_lease_remaining_ms() RETURNS bigint
AS 'MODULE_PATHNAME', 'idcguard_lease_remaining_ms'
LANGUAGE C VOLATILE PARALLEL SAFE;
