SELECT state, attempts, last_error FROM jet.actions WHERE action_id = %(action_id)s;
