-- Products in the merchant's catalog: 0 means never loaded (or emptied), as the decider's guard sees it.
SELECT count(*) FROM jet.products;
