-- Commits as the server says, whatever the database was made for before.
ALTER DATABASE {database} RESET synchronous_commit
