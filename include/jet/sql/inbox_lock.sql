-- One claimer at a time: map indexes are positions in the claimed list, with no gaps.
LOCK TABLE jet.held_order_prompts IN SHARE ROW EXCLUSIVE MODE;
