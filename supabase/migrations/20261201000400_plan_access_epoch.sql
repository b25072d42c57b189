-- Rights-change epochs (issue 10, co-editing revocation): every rights change that may affect a plan socket bumps one
-- counter in the same transaction and carries the new value in its notification. The collaboration server reads the
-- committed counter with every stored update, so when an update was stored after a rights change it has not handled
-- yet, it holds that update (and everything else for the plan's sockets) until the re-check has run. A socket whose
-- rights were revoked therefore receives nothing typed after the revoking call returned.

create table private.plan_access_epoch (
  singleton boolean primary key default true check (singleton),
  epoch bigint not null default 0
);
comment on table private.plan_access_epoch is 'One row: how many rights changes affecting plan sockets have committed.';
alter table private.plan_access_epoch enable row level security;
revoke all on private.plan_access_epoch from public, anon, authenticated, service_role;
insert into private.plan_access_epoch default values;

-- The payload gains "@<epoch>". Transactions changing rights serialise on the counter row until they commit, so
-- epochs reach the listener in the order they became visible.
create or replace function private.signal_plan_access_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  row jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
  next_epoch bigint;
begin
  update private.plan_access_epoch set epoch = epoch + 1 returning epoch into next_epoch;
  perform pg_notify('plan_access_changed', tg_argv[0] || ':' || (row ->> tg_argv[1]) || '@' || next_epoch);
  return null;
end
$$;
revoke execute on function private.signal_plan_access_change() from public;
