-- Reaches every table that exists when it runs: the files after it must not be built before it.
GRANT SELECT ON ALL TABLES IN SCHEMA app TO frs_parallel_reader;
