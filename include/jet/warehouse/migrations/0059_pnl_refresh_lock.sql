-- The P&L refresh was serialised by an advisory key, which every role may take: an analyst
-- holding it stalled jet_settlement without bound. It takes a pipeline lock instead
-- (jet.warehouse.locks.held_aside), out of the analysts' reach, with a bounded wait.
INSERT INTO jet.pipeline_locks (name, purpose) VALUES
    ('pnl_refresh', 'one P&L refresh at a time: each computes from a snapshot taken after the previous one committed');
