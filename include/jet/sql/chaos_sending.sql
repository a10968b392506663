-- Whether a sender has committed an action as sending and not recorded its outcome yet.
SELECT EXISTS (SELECT 1 FROM jet.actions WHERE state = 'sending');
