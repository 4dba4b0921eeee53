-- Working hours: an agent's shift, a team's business hours (the centre's are configured: Routing:BusinessHours).
alter table agents add column working_hours jsonb;

create table team_hours (
    team text primary key,
    working_hours jsonb not null,
    updated_at timestamptz not null
);
