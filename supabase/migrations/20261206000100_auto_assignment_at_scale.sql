-- Issue 17, "Assignment that balances itself", at real scale: with 10,000 unassigned EoIs and 500 reviewers the
-- plan of 20261204000700 ran one query over every reviewer per EoI (about 6 s, past the API's 8 s statement timeout
-- on a busy machine), the page rendered and posted back every pair, and applying refused more than 5,000 pairs.
-- Same semantics, new shape:
--   * the plan keeps each group's loads (everyone, and the experts of each ITU region) in one integer array and
--     finds the least loaded reviewer of a group, ties by id, with array_position (C) at the group's lowest free
--     load, which only ever rises: a few microseconds per EoI instead of a query over every reviewer;
--   * the preview (auto_assignment_preview) returns the total, a per-reviewer summary, one page of assignments and
--     a fingerprint of the whole plan (md5 over its ordered pairs), computed once per request in SQL;
--   * applying posts the cap, the call and that fingerprint: apply_auto_assignment recomputes the plan under the
--     same locks and refuses with assignment_changed unless its fingerprint is the one previewed. No size limit.
-- The states awaiting BDT are written out (the list of private.eoi_awaits_bdt): a function with its own search_path
-- is never inlined, and calling it once per EoI cost more than the whole plan.

drop function public.apply_auto_assignment(integer, uuid[], uuid[], uuid);
drop function private.auto_assignment_plan(uuid, integer);

/**
 * Who would get what, computed from the data as it stands; deterministic, so the same data give the same plan.
 * EoIs are taken oldest first (submission time, then id), numbered from 1 in `seq`. Each goes to an eligible
 * reviewer (active, holding the reviewer role, below the cap counting what they already hold, not a member of the
 * applicant's institution): one who knows the EoI's region if any is eligible, the least loaded of those, ties
 * broken by id. An EoI no reviewer may take stays unassigned (and takes no number). Not callable from the API.
 *
 * Reviewers are ranked by id (1..n), `loads[i]` is what reviewer i holds. Group 0 is every active reviewer, group g
 * (1..) the experts of the g-th region: its members' ranks, ascending, are members[starts[g+1] .. starts[g+2]-1].
 * A group's `floor` is the lowest load a member below the cap still has, and its `cursor` the first member who may
 * still hold that load: loads only rise, so the members at the floor only leave it and both only move forward.
 * The least loaded member with the lowest id is the first at or after the cursor whose load is the floor. Each EoI
 * thus reads a few array elements (fast on plpgsql's expanded arrays) instead of querying every reviewer.
 */
create function private.auto_assignment_plan(call uuid, cap integer)
returns table (seq integer, eoi_id uuid, reviewer_id uuid, region_match boolean)
language plpgsql stable security definer set search_path = '' as $$
declare
  reviewers uuid[];
  loads integer[];
  n integer;
  regions text[];
  members integer[];
  sizes integer[];
  starts integer[];
  floors integer[];
  cursors integer[];
  e record;
  g integer;
  lvl integer;
  j integer;
  stop integer;
  r integer;
  chosen integer;
  chosen_group integer;
  counter integer := 0;
begin
  select coalesce(array_agg(s.id order by s.id), '{}'), coalesce(array_agg(s.load order by s.id), '{}')
    into reviewers, loads
  from (
    select grant_row.user_id as id, coalesce(held.n, 0)::integer as load
    from public.role_grants grant_row
    join auth.users u on u.id = grant_row.user_id
    left join (select x.assigned_reviewer_id as id, count(*) as n from public.eois x
               where x.assigned_reviewer_id is not null
                 and x.status in ('submitted', 'under_validation', 'clarification_requested', 'resubmitted')
               group by x.assigned_reviewer_id) held on held.id = grant_row.user_id
    where grant_row.role = 'reviewer' and (u.banned_until is null or u.banned_until <= now()) and u.deleted_at is null
  ) s;
  n := cardinality(reviewers);
  if n = 0 then return; end if;
  select coalesce(array_agg(distinct rr.region_code order by rr.region_code), '{}') into regions
    from public.reviewer_regions rr where rr.user_id = any(reviewers);

  with ranked as (select rk.id, rk.i::integer as i from unnest(reviewers) with ordinality as rk(id, i)),
  grouped as (
    select 0 as g, ranked.i from ranked
    union all
    select grp.g::integer, ranked.i
    from unnest(regions) with ordinality as grp(code, g)
    join public.reviewer_regions rr on rr.region_code = grp.code
    join ranked on ranked.id = rr.user_id
  )
  select array_agg(grouped.i order by grouped.g, grouped.i) into members from grouped;
  select array_agg(c.n::integer order by c.g) into sizes
  from (select gg.g, count(rr.user_id) + case when gg.g = 0 then n else 0 end as n
        from generate_series(0, cardinality(regions)) as gg(g)
        left join public.reviewer_regions rr on gg.g > 0 and rr.region_code = regions[gg.g] and rr.user_id = any(reviewers)
        group by gg.g) c;
  starts := array[1];
  floors := '{}';
  cursors := '{}';
  for g in 0 .. cardinality(regions) loop
    starts[g + 2] := starts[g + 1] + sizes[g + 1];
    cursors[g + 1] := starts[g + 1];
    floors[g + 1] := coalesce((select min(loads[members[k]]) from generate_series(starts[g + 1], starts[g + 2] - 1) k), cap);
  end loop;

  for e in
    select x.id, array_position(regions, c.region_code) as region_group, coalesce(ex.members, '{}') as excluded
    from public.eois x
    join public.organisations o on o.id = x.organisation_id
    join public.countries c on c.code = o.country_code
    left join (
      select m.organisation_id, array_agg(rk.i::integer) as members
      from public.organisation_members m
      join unnest(reviewers) with ordinality as rk(id, i) on rk.id = m.user_id
      group by m.organisation_id
    ) ex on ex.organisation_id = x.organisation_id
    where x.status in ('submitted', 'under_validation', 'clarification_requested', 'resubmitted')
      and x.assigned_reviewer_id is null
      and (auto_assignment_plan.call is null or x.call_id = auto_assignment_plan.call)
    order by x.submitted_at nulls last, x.id
  loop
    chosen := null;
    -- The experts of the EoI's region starts (group region_group), then everyone (group 0).
    g := coalesce(e.region_group, 0);
    loop
      lvl := floors[g + 1];
      j := cursors[g + 1];
      stop := starts[g + 2] - 1;
      while lvl < cap loop
        if j > stop then
          -- Nobody in this group holds this load any more (or, for this EoI, nobody outside the institution).
          lvl := lvl + 1;
          j := starts[g + 1];
          if cardinality(e.excluded) = 0 then floors[g + 1] := lvl; cursors[g + 1] := j; end if;
          continue;
        end if;
        r := members[j];
        if loads[r] = lvl and not (r = any(e.excluded)) then
          chosen := r;
          exit;
        end if;
        j := j + 1;
        if cardinality(e.excluded) = 0 then cursors[g + 1] := j; end if;
      end loop;
      if chosen is not null then chosen_group := g; exit; end if;
      exit when g = 0;
      g := 0;
    end loop;
    if chosen is null then continue; end if;
    loads[chosen] := loads[chosen] + 1;
    counter := counter + 1;
    seq := counter;
    eoi_id := e.id;
    reviewer_id := reviewers[chosen];
    region_match := chosen_group > 0;
    return next;
  end loop;
end
$$;
revoke execute on function private.auto_assignment_plan(uuid, integer) from public;

/** The pairs of the plan, oldest first (coordinators only): for the API and the tests; the page uses the summary. */
create or replace function public.preview_auto_assignment(cap integer, call uuid default null)
returns table (eoi_id uuid, reviewer_id uuid, region_match boolean)
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.check_auto_assignment(cap);
  return query select p.eoi_id, p.reviewer_id, p.region_match
    from private.auto_assignment_plan(preview_auto_assignment.call, preview_auto_assignment.cap) p order by p.seq;
end
$$;

/**
 * What "Assign automatically" would do now, changing nothing (coordinators only), as one JSON object:
 * `total` assignments; `fingerprint`, the md5 of the plan's pairs in order ("eoi:reviewer" joined by ","), which
 * apply_auto_assignment checks; `reviewers`, every active reviewer with the load they hold (`before`), what the
 * plan adds (`added`, `in_region` of which in their regions) and `after`; and `assignments`, page `page` of
 * `page_size` (oldest first) with each EoI's centre, institution and region and the reviewer's name.
 */
create function public.auto_assignment_preview(cap integer, call uuid default null, page integer default 1,
                                               page_size integer default 50)
returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.check_auto_assignment(cap);
  if page is null or page < 1 or page > 100000 or page_size is null or page_size < 1 or page_size > 200 then
    perform private.fail('invalid_input', 'page from 1, page size 1 to 200');
  end if;
  with plan as materialized (
    select p.seq, p.eoi_id, p.reviewer_id, p.region_match
    from private.auto_assignment_plan(auto_assignment_preview.call, auto_assignment_preview.cap) p
  ), added as (
    select plan.reviewer_id, count(*)::integer as added, (count(*) filter (where plan.region_match))::integer as in_region
    from plan group by plan.reviewer_id
  ), held as (
    select x.assigned_reviewer_id as reviewer_id, count(*)::integer as n
    from public.eois x where x.assigned_reviewer_id is not null and x.status in ('submitted', 'under_validation', 'clarification_requested', 'resubmitted')
    group by x.assigned_reviewer_id
  ), people as (
    select g.user_id as id,
           coalesce(nullif(btrim(pr.display_name), ''), split_part(pr.email, '@', 1)) as name,
           coalesce((select array_agg(rr.region_code order by rr.region_code) from public.reviewer_regions rr
                     where rr.user_id = g.user_id), '{}') as regions,
           coalesce(held.n, 0) as before, coalesce(added.added, 0) as added, coalesce(added.in_region, 0) as in_region
    from public.role_grants g
    join auth.users u on u.id = g.user_id
    join public.profiles pr on pr.id = g.user_id
    left join held on held.reviewer_id = g.user_id
    left join added on added.reviewer_id = g.user_id
    where g.role = 'reviewer' and (u.banned_until is null or u.banned_until <= now()) and u.deleted_at is null
  ), shown as (
    select plan.seq, plan.eoi_id, plan.reviewer_id, plan.region_match from plan
    order by plan.seq offset (auto_assignment_preview.page - 1) * auto_assignment_preview.page_size
    limit auto_assignment_preview.page_size
  )
  select jsonb_build_object(
    'total', (select count(*) from plan),
    'fingerprint', (select md5(coalesce(string_agg(plan.eoi_id::text || ':' || plan.reviewer_id::text, ','
                                                   order by plan.seq), '')) from plan),
    'reviewers', coalesce((select jsonb_agg(jsonb_build_object(
                             'id', people.id, 'name', people.name, 'regions', to_jsonb(people.regions),
                             'before', people.before, 'added', people.added, 'after', people.before + people.added,
                             'in_region', people.in_region) order by people.name, people.id) from people), '[]'),
    'assignments', coalesce((select jsonb_agg(jsonb_build_object(
                               'seq', shown.seq, 'eoi_id', shown.eoi_id, 'reviewer_id', shown.reviewer_id,
                               'reviewer', coalesce(people.name, ''), 'region_match', shown.region_match,
                               'centre', coalesce(x.centre_name, ''), 'institution', o.name,
                               'country', o.country_code, 'region', c.region_code) order by shown.seq)
                             from shown
                             join public.eois x on x.id = shown.eoi_id
                             join public.organisations o on o.id = x.organisation_id
                             join public.countries c on c.code = o.country_code
                             left join people on people.id = shown.reviewer_id), '[]'))
    into result;
  return result;
end
$$;

/**
 * Applies the plan the coordinator saw: locks every EoI awaiting BDT (so no manual assignment or transition can
 * change the loads meanwhile), recomputes the plan, and refuses with assignment_changed unless its fingerprint is
 * the one previewed. Then one audited assignment per EoI, and one notification per reviewer. Returns how many.
 */
create function public.apply_auto_assignment(cap integer, fingerprint text, call uuid default null)
returns integer
language plpgsql security definer set search_path = '' as $$
declare
  eoi_ids uuid[];
  reviewer_ids uuid[];
  matches boolean[];
  actual text;
begin
  perform private.check_auto_assignment(apply_auto_assignment.cap);
  if apply_auto_assignment.fingerprint is null or apply_auto_assignment.fingerprint !~ '^[0-9a-f]{32}$' then
    perform private.fail('invalid_input', 'the fingerprint of a previewed plan');
  end if;
  -- Serialise automatic assignments, then hold every row the plan reads.
  perform pg_advisory_xact_lock(hashtextextended('auto_assignment', 0));
  perform 1 from public.eois x where x.status in ('submitted', 'under_validation', 'clarification_requested', 'resubmitted') order by x.id for update;
  perform 1 from public.role_grants g where g.role = 'reviewer' for share;

  select coalesce(array_agg(p.eoi_id order by p.seq), '{}'), coalesce(array_agg(p.reviewer_id order by p.seq), '{}'),
         coalesce(array_agg(p.region_match order by p.seq), '{}'),
         md5(coalesce(string_agg(p.eoi_id::text || ':' || p.reviewer_id::text, ',' order by p.seq), ''))
    into eoi_ids, reviewer_ids, matches, actual
    from private.auto_assignment_plan(apply_auto_assignment.call, apply_auto_assignment.cap) p;
  if actual <> apply_auto_assignment.fingerprint then
    perform private.fail('assignment_changed', 'the data changed since the preview; preview again');
  end if;

  perform private.audit('eoi', x.id, null, 'assign', x.status::text, x.status::text, null,
                        jsonb_build_object('reviewer_id', p.reviewer, 'previous_reviewer_id', null, 'automatic', true,
                                           'cap', apply_auto_assignment.cap, 'region_match', p.matched))
    from unnest(eoi_ids, reviewer_ids, matches) with ordinality as p(eoi, reviewer, matched, n)
    join public.eois x on x.id = p.eoi
    order by p.n;
  update public.eois x set assigned_reviewer_id = p.reviewer
    from unnest(eoi_ids, reviewer_ids) as p(eoi, reviewer)
    where x.id = p.eoi;
  perform private.notify(array[s.reviewer], 'eois_assigned', 'reviewer', s.reviewer, jsonb_build_object('count', s.n))
    from (select r.reviewer, count(*)::integer as n from unnest(reviewer_ids) as r(reviewer)
          group by r.reviewer order by r.reviewer) s;
  return cardinality(eoi_ids);
end
$$;

revoke execute on function public.auto_assignment_preview(integer, uuid, integer, integer),
  public.apply_auto_assignment(integer, text, uuid) from public, anon;
grant execute on function public.auto_assignment_preview(integer, uuid, integer, integer),
  public.apply_auto_assignment(integer, text, uuid) to authenticated;
