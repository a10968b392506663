SELECT count(*)::integer FROM jet.unreadable_orders;
