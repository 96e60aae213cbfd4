-- Webhook deliveries: the retry window runs from a delivery's first attempt (not from when it
-- was queued, which for one waiting behind a failing delivery may be long before), and the
-- sender finds each endpoint's next delivery cheaply however long the queue behind it is.

-- When the delivery was first attempted; NULL until then, and again after "send again".
ALTER TABLE webhook_deliveries ADD COLUMN first_attempt_at TEXT;

-- Deliveries already attempted keep their window as it was measured before.
UPDATE webhook_deliveries SET first_attempt_at = created_at WHERE attempts > 0;

-- Whether an endpoint has a delivery in flight (leased until later than now): one at a time.
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (endpoint_id, locked_until);
