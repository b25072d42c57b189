-- Issue 14, co-editing latency: private.append_plan_updates is on every edit's path to broadcast. Timed one edit at a
-- time (`npm run bench:collab:commit-floor`), it took p50 1.5 to 2.0 ms where a plain one-row INSERT with the same
-- flushed commit took 0.9 to 1.1: its five statements (lock loop, head lookup, INSERT, grouped NOTIFY, result) each
-- pay the executor's start-up, and the grouping is only needed when a batch holds several plans. A batch of one plan
-- (someone typing alone, every latency-bound case) now takes the same steps in four short statements; the signals,
-- locks and ids are exactly the general path's (same per-plan lock key, same "<plan> <previous> <last> <count>").
create or replace function private.append_plan_updates(plan_ids uuid[], updates bytea[])
returns table (id bigint, access_epoch bigint)
language plpgsql volatile set search_path = '' as $$
declare
  lock_key integer;
  head_plans uuid[];
  head_previous bigint[];
  stored_ids bigint[];
  stored_plans uuid[];
  message text;
  only_plan uuid := plan_ids[1];
  previous bigint;
begin
  if coalesce(array_length(plan_ids, 1), 0) <> coalesce(array_length(updates, 1), 0) then
    raise exception 'append_plan_updates: % plan ids for % updates', array_length(plan_ids, 1), array_length(updates, 1);
  end if;
  if only_plan is not null and only_plan = all(plan_ids) then
    perform pg_advisory_xact_lock(1347174734, hashtext(only_plan::text));
    previous := greatest(
      coalesce((select max(u.id) from private.plan_updates u where u.plan_id = only_plan), 0),
      coalesce((select s.through_update_id from private.plan_snapshots s where s.plan_id = only_plan), 0));
    with stored as (
      insert into private.plan_updates (plan_id, "update")
      select only_plan, u.update_bytes from unnest(updates) with ordinality as u (update_bytes, position)
      order by u.position
      returning plan_updates.id
    )
    select array_agg(stored.id order by stored.id) into stored_ids from stored;
    perform pg_notify('plan_updates_stored',
                      format('%s %s %s %s', only_plan, previous, stored_ids[cardinality(stored_ids)], cardinality(stored_ids)));
    return query select x.id, (select e.epoch from private.plan_access_epoch e) from unnest(stored_ids) x (id);
    return;
  end if;
  -- In key order, so two servers appending to the same plans never deadlock.
  for lock_key in select distinct hashtext(p::text) from unnest(plan_ids) p order by 1 loop
    perform pg_advisory_xact_lock(1347174734, lock_key);
  end loop;
  -- The plan's id before this batch (what a reader must already have applied to take this batch's ids alone).
  select array_agg(d.p), array_agg(greatest(
           coalesce((select max(u.id) from private.plan_updates u where u.plan_id = d.p), 0),
           coalesce((select s.through_update_id from private.plan_snapshots s where s.plan_id = d.p), 0)))
    into head_plans, head_previous
    from (select distinct p from unnest(plan_ids) p) d;
  with stored as (
    insert into private.plan_updates (plan_id, "update")
    select u.plan_id, u.update_bytes from unnest(plan_ids, updates) with ordinality as u (plan_id, update_bytes, position)
    order by u.position
    returning plan_updates.id, plan_updates.plan_id
  )
  select array_agg(stored.id order by stored.id), array_agg(stored.plan_id order by stored.id)
    into stored_ids, stored_plans from stored;
  for message in
    select string_agg(format('%s %s %s %s', c.plan_id, c.previous, c.last, c.n), ';')
    from (
      select s.plan_id, h.previous, s.last, s.n, (row_number() over (order by s.plan_id) - 1) / 64 as chunk
      from (select x.plan_id, max(x.id) as last, count(*) as n from unnest(stored_plans, stored_ids) x (plan_id, id)
            group by x.plan_id) s
      join unnest(head_plans, head_previous) h (plan_id, previous) on h.plan_id = s.plan_id
    ) c
    group by c.chunk
  loop
    perform pg_notify('plan_updates_stored', message);
  end loop;
  return query select x.id, (select e.epoch from private.plan_access_epoch e)
    from unnest(coalesce(stored_ids, '{}')) x (id);
end
$$;
comment on function private.append_plan_updates(uuid[], bytea[]) is
  'Appends Yjs updates (per-plan lock: ids commit in order) and notifies plan_updates_stored; returns ids in order.';
revoke execute on function private.append_plan_updates(uuid[], bytea[]) from public, anon, authenticated, service_role;
