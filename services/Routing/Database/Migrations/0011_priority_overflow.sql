-- A customer's priority (VIPs): their conversations start with it, and the queue serves higher priorities first.
alter table customers add column priority int not null default 0;

-- Queue time limits: a conversation that waited too long for its team moves to the overflow team, once per wait.
alter table conversations add column overflowed_at timestamptz;

alter table timers drop constraint timers_kind_check;
alter table timers add constraint timers_kind_check check (kind in ('hold', 'grace', 'offer', 'transfer', 'relax', 'overflow'));
