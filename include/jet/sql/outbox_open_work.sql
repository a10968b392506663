-- Actions a sender or a settle could act on, per call.
SELECT a.call, count(*)::integer
FROM jet.actions a
WHERE a.state IN ('pending', 'sending', 'unknown')
   OR (a.state = 'not_applied' AND a.attempts - a.rate_limited < %(max_attempts)s * (1 + a.requeues))
GROUP BY a.call
ORDER BY a.call;
