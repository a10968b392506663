-- Ready -> acknowledged minutes of every order Jet shows answered (Jet's own dates).
SELECT extract(epoch FROM acknowledged_at - ready_at) / 60
FROM jet.orders
WHERE acknowledged_at IS NOT NULL AND ready_at IS NOT NULL;
