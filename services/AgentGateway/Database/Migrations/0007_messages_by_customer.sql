-- A customer's inbound messages on a channel (where a reply goes) by key, not by a partial index on direction = 'in'
-- alone: on a young table's statistics the planner added a scan of that whole partial index to every lookup of a
-- conversation's inbound messages (a BitmapAnd with no condition on it), one read of every inbound message per
-- announcement until the next ANALYZE (make bench-gateway: 1.7 ms a statement instead of 0.09).
create index gateway_messages_customer_channel_in on gateway_messages (customer_id, channel, direction, at desc);
drop index gateway_messages_customer_channel;
