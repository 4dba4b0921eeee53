-- Idle close: open conversations by their customer's last message, for the sweep that closes the silent ones.
create index conversations_open_by_last_message on conversations (last_message_at) where status = 'open';
-- Return: a customer's latest closed conversation, to reopen when they come back within the window.
create index conversations_customer_closed on conversations (customer_id, closed_at desc) where status = 'closed';
