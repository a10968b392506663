-- A throwaway database: commits do not wait for the disk (see jet.warehouse.scratch).
ALTER DATABASE {database} SET synchronous_commit = off
