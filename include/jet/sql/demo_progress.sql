-- One progress line of the demo: orders landed, decided (not dry runs), accepted by Jet.
SELECT (SELECT count(*) FROM jet.orders)::integer AS orders,
       (SELECT count(*) FROM jet.decisions WHERE NOT dry_run)::integer AS decided,
       (SELECT count(*) FROM jet.orders WHERE acknowledgement_status = %(vocab_ack_accepted)s)::integer AS accepted;
