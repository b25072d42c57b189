-- More than one app server on one database (issue 19, co-editing). Every server appends a plan's Yjs updates through
-- this one function, which
--   * takes a per-plan advisory lock for the rest of the transaction, so the updates of one plan commit in id order
--     (a reader that has seen id N of a plan has seen every earlier id of it: "read id > the last one applied" never
--     skips a row that commits late), and the first write of a plan (its template) happens once across servers;
--   * NOTIFYs `plan_updates_stored` in the same transaction, so the other servers hear of the rows once they are
--     committed, never before (stored before broadcast, across servers). The payload is small: per plan
--     "<plan id> <previous id> <last id> <count>", at most 64 plans per notification (about 5 KB of PostgreSQL's 8 KB).
-- Compaction takes another per-plan advisory lock (try, never wait), so one server at a time compacts a plan.
-- Key spaces: 1347174734 ('PLAN') for appends, 1347174723 ('PLAC') for compaction, keyed by hashtext(plan id).

create function private.append_plan_updates(plan_ids uuid[], updates bytea[])
returns table (id bigint, access_epoch bigint)
language plpgsql volatile set search_path = '' as $$
declare
  lock_key integer;
  head_plans uuid[];
  head_previous bigint[];
  stored_ids bigint[];
  stored_plans uuid[];
  message text;
begin
  if coalesce(array_length(plan_ids, 1), 0) <> coalesce(array_length(updates, 1), 0) then
    raise exception 'append_plan_updates: % plan ids for % updates', array_length(plan_ids, 1), array_length(updates, 1);
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
