-- The messages of a customer's earlier conversations, newest first, for the context ConversationAssigned carries.
create index messages_customer on messages (customer_id, received_at desc);
