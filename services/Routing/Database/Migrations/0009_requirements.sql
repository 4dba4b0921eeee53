-- Languages and skills: what an agent offers, what a conversation asks for (relaxed as it waits: Routing:Requirements).
alter table agents add column languages text[] not null default '{}';
alter table agents add column skills text[] not null default '{}';
alter table conversations add column language text;
alter table conversations add column skills text[] not null default '{}';

alter table timers drop constraint timers_kind_check;
alter table timers add constraint timers_kind_check check (kind in ('hold', 'grace', 'offer', 'transfer', 'relax'));
