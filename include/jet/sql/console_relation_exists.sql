-- Whether a relation exists (a view added by a later migration may be missing).
SELECT to_regclass(%(name)s) IS NOT NULL;
