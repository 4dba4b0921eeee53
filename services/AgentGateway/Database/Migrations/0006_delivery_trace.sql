-- The traceparent of the routing event a delivery comes from: each attempt continues that trace into the agent's tool.
alter table gateway_deliveries add column trace_parent text;
