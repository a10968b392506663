-- Per SKU of one order, as Jet last reported its shipments: units shipped and cancelled.
SELECT merchant_sku, sum(shipped_qty)::integer AS shipped, sum(cancelled_qty)::integer AS cancelled
FROM jet.order_shipments
WHERE merchant_order_id = %(merchant_order_id)s
GROUP BY merchant_sku;
