-- Issue 17, "Assignment that balances itself": a reviewer's ITU regions are set on the people page; "Assign
-- automatically" spreads the unassigned EoIs awaiting validation over the active BDT reviewers, by region expertise
-- first and current load second, never past a per-reviewer cap and never to a member of the applicant's own
-- institution. The coordinator previews the plan; applying it recomputes the plan under lock and refuses (code
-- assignment_changed) if it is not exactly the plan previewed, so what is applied is always what was shown.

-- reviewer_regions -----------------------------------------------------------------------------------------------

create table public.reviewer_regions (
  user_id uuid not null references auth.users (id) on delete cascade,
  region_code text not null references public.itu_regions (code),
  set_by uuid references auth.users (id) on delete set null,
  set_at timestamptz not null default now(),
  primary key (user_id, region_code)
);
comment on table public.reviewer_regions is
  'The ITU regions a BDT reviewer knows best: automatic assignment prefers them for EoIs from those regions.';
alter table public.reviewer_regions enable row level security;
create index reviewer_regions_region_idx on public.reviewer_regions (region_code, user_id);
revoke all on public.reviewer_regions from anon, authenticated;
grant select on public.reviewer_regions to authenticated;

create policy "BDT reads reviewers' regions" on public.reviewer_regions
  for select to authenticated using ((select private.is_bdt()));
create policy "Deactivated accounts read and write nothing" on public.reviewer_regions
  as restrictive for all to authenticated using ((select private.caller_is_active()))
  with check ((select private.caller_is_active()));

/** Coordinators set the regions of a BDT reviewer (the whole set at once), audited. */
create function public.set_reviewer_regions(person uuid, regions text[]) returns void
language plpgsql security definer set search_path = '' as $$
declare
  before text[];
  after text[];
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators set regions'); end if;
  if not exists (select 1 from public.role_grants where user_id = person and role = 'reviewer') then
    perform private.fail('invalid_assignee', 'regions are set for BDT reviewers');
  end if;
  if exists (select 1 from unnest(coalesce(regions, '{}')) code where code not in (select r.code from public.itu_regions r)) then
    perform private.fail('invalid_reference', 'unknown ITU region');
  end if;
  -- One change at a time per person: concurrent saves queue rather than interleave.
  perform pg_advisory_xact_lock(hashtextextended('reviewer_regions:' || person::text, 0));
  select coalesce(array_agg(region_code order by region_code), '{}') into before
    from public.reviewer_regions where user_id = person;
  select coalesce(array_agg(distinct code order by code), '{}') into after from unnest(coalesce(regions, '{}')) code;
  if before = after then return; end if;
  delete from public.reviewer_regions where user_id = person and region_code <> all(after);
  insert into public.reviewer_regions (user_id, region_code, set_by)
    select person, code, (select auth.uid()) from unnest(after) code
    on conflict (user_id, region_code) do nothing;
  perform private.audit('profile', person, null, 'set_reviewer_regions', null, null, null,
                        jsonb_build_object('regions', to_jsonb(after), 'previous_regions', to_jsonb(before)));
end
$$;

-- the plan -------------------------------------------------------------------------------------------------------

/** The states in which an EoI awaits BDT and counts towards its reviewer's load. */
create function private.eoi_awaits_bdt(status public.eoi_status) returns boolean
language sql immutable set search_path = '' as $$
  select status in ('submitted', 'under_validation', 'clarification_requested', 'resubmitted')
$$;

/**
 * Who would get what, computed from the data as it stands; deterministic, so the same data give the same plan.
 * EoIs are taken oldest first (submission time, then id). Each goes to an eligible reviewer (active, holding the
 * reviewer role, below the cap counting what they already hold, not a member of the applicant's institution):
 * one who knows the EoI's region if any is eligible, the least loaded of those, ties broken by id. An EoI no
 * reviewer may take stays unassigned. Not callable from the API: preview and apply call it after their checks.
 */
create function private.auto_assignment_plan(call uuid, cap integer)
returns table (eoi_id uuid, reviewer_id uuid, region_match boolean)
language plpgsql stable security definer set search_path = '' as $$
declare
  reviewers uuid[];
  loads integer[];
  e record;
  chosen integer;
  matched boolean;
begin
  select coalesce(array_agg(s.id order by s.id), '{}'), coalesce(array_agg(s.load order by s.id), '{}')
    into reviewers, loads
  from (
    select g.user_id as id,
           (select count(*) from public.eois x
            where x.assigned_reviewer_id = g.user_id and private.eoi_awaits_bdt(x.status))::integer as load
    from public.role_grants g join auth.users u on u.id = g.user_id
    where g.role = 'reviewer' and (u.banned_until is null or u.banned_until <= now()) and u.deleted_at is null
  ) s;
  for e in
    select x.id, x.organisation_id, c.region_code
    from public.eois x
    join public.organisations o on o.id = x.organisation_id
    join public.countries c on c.code = o.country_code
    where private.eoi_awaits_bdt(x.status) and x.assigned_reviewer_id is null
      and (call is null or x.call_id = call)
    order by x.submitted_at nulls last, x.id
  loop
    chosen := null;
    select i, exists (select 1 from public.reviewer_regions rr
                      where rr.user_id = reviewers[i] and rr.region_code = e.region_code)
      into chosen, matched
    from generate_subscripts(reviewers, 1) i
    where loads[i] < cap
      and not exists (select 1 from public.organisation_members m
                      where m.organisation_id = e.organisation_id and m.user_id = reviewers[i])
    order by 2 desc, loads[i], reviewers[i]
    limit 1;
    if chosen is null then continue; end if;
    loads[chosen] := loads[chosen] + 1;
    eoi_id := e.id;
    reviewer_id := reviewers[chosen];
    region_match := matched;
    return next;
  end loop;
end
$$;
revoke execute on function private.auto_assignment_plan(uuid, integer) from public;

/** The checks shared by preview and apply: a coordinator, a sane cap. */
create function private.check_auto_assignment(cap integer) returns void
language plpgsql stable set search_path = '' as $$
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators assign'); end if;
  if cap is null or cap < 1 or cap > 500 then perform private.fail('invalid_cap', 'the cap is 1 to 500 per reviewer'); end if;
end
$$;
revoke execute on function private.check_auto_assignment(integer) from public;
grant execute on function private.check_auto_assignment(integer) to authenticated;

/** What "Assign automatically" would do now, changing nothing (coordinators only). */
create function public.preview_auto_assignment(cap integer, call uuid default null)
returns table (eoi_id uuid, reviewer_id uuid, region_match boolean)
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.check_auto_assignment(cap);
  return query select p.eoi_id, p.reviewer_id, p.region_match from private.auto_assignment_plan(call, cap) p;
end
$$;

/**
 * Applies the plan the coordinator saw: locks every EoI awaiting BDT (so no manual assignment or transition can
 * change the loads meanwhile), recomputes the plan, and refuses with assignment_changed unless it is exactly the
 * pairs given. Then one audited assignment per EoI, and one notification per reviewer. Returns how many.
 */
create function public.apply_auto_assignment(cap integer, eoi_ids uuid[], reviewer_ids uuid[], call uuid default null)
returns integer
language plpgsql security definer set search_path = '' as $$
declare
  expected jsonb;
  planned jsonb;
  p record;
  counts jsonb := '{}';
  person text;
begin
  perform private.check_auto_assignment(cap);
  if coalesce(cardinality(eoi_ids), 0) <> coalesce(cardinality(reviewer_ids), 0) or cardinality(eoi_ids) = 0
     or cardinality(eoi_ids) > 5000 then
    perform private.fail('invalid_input', 'one reviewer per EoI');
  end if;
  -- Serialise automatic assignments, then hold every row the plan reads.
  perform pg_advisory_xact_lock(hashtextextended('auto_assignment', 0));
  perform 1 from public.eois x where private.eoi_awaits_bdt(x.status) order by x.id for update;
  perform 1 from public.role_grants g where g.role = 'reviewer' for share;

  select coalesce(jsonb_object_agg(pair.e::text, pair.r::text), '{}') into expected
    from unnest(eoi_ids, reviewer_ids) as pair(e, r);
  if (select count(distinct e) from unnest(eoi_ids) e) <> cardinality(eoi_ids) then
    perform private.fail('invalid_input', 'an EoI appears twice');
  end if;
  select coalesce(jsonb_object_agg(plan.eoi_id::text, plan.reviewer_id::text), '{}') into planned
    from private.auto_assignment_plan(call, cap) plan;
  if planned <> expected then
    perform private.fail('assignment_changed', 'the data changed since the preview; preview again');
  end if;

  for p in select plan.eoi_id, plan.reviewer_id, plan.region_match, x.status
           from private.auto_assignment_plan(call, cap) plan join public.eois x on x.id = plan.eoi_id loop
    update public.eois set assigned_reviewer_id = p.reviewer_id where id = p.eoi_id;
    perform private.audit('eoi', p.eoi_id, null, 'assign', p.status::text, p.status::text, null,
                          jsonb_build_object('reviewer_id', p.reviewer_id, 'previous_reviewer_id', null,
                                             'automatic', true, 'cap', cap, 'region_match', p.region_match));
    counts := jsonb_set(counts, array[p.reviewer_id::text],
                        to_jsonb(coalesce((counts ->> p.reviewer_id::text)::integer, 0) + 1));
  end loop;
  for person in select jsonb_object_keys(counts) loop
    perform private.notify(array[person::uuid], 'eois_assigned', 'reviewer', person::uuid,
                           jsonb_build_object('count', (counts ->> person)::integer));
  end loop;
  return cardinality(eoi_ids);
end
$$;

/**
 * BDT's reviewers with their regions and current load (EoIs awaiting BDT assigned to them, and the overdue ones
 * among those, past the given number of days since submission; applications in BDT review they hold): the people
 * page, the auto-assignment preview and the pipeline dashboard. BDT only; anyone else gets no row.
 */
create function public.reviewer_workload(overdue_days integer default 30)
returns table (reviewer_id uuid, name text, active boolean, regions text[], open_eois integer, overdue_eois integer,
               open_applications integer)
language sql stable security definer set search_path = '' as $$
  select g.user_id,
         coalesce(nullif(btrim(p.display_name), ''), split_part(p.email, '@', 1)),
         (u.banned_until is null or u.banned_until <= now()) and u.deleted_at is null,
         coalesce((select array_agg(rr.region_code order by rr.region_code) from public.reviewer_regions rr
                   where rr.user_id = g.user_id), '{}'),
         (select count(*) from public.eois x
          where x.assigned_reviewer_id = g.user_id and private.eoi_awaits_bdt(x.status))::integer,
         (select count(*) from public.eois x
          where x.assigned_reviewer_id = g.user_id and private.eoi_awaits_bdt(x.status)
            and x.submitted_at < now() - make_interval(days => greatest(overdue_days, 0)))::integer,
         (select count(*) from public.application_bdt_reviews b join public.centre_applications a on a.id = b.application_id
          where b.reviewer_id = g.user_id and a.status = 'bdt_review')::integer
  from public.role_grants g
  join public.profiles p on p.id = g.user_id
  join auth.users u on u.id = g.user_id
  where g.role = 'reviewer' and private.is_bdt()
  order by 2, 1
$$;

revoke execute on function public.set_reviewer_regions(uuid, text[]), public.preview_auto_assignment(integer, uuid),
  public.apply_auto_assignment(integer, uuid[], uuid[], uuid), public.reviewer_workload(integer) from public, anon;
grant execute on function public.set_reviewer_regions(uuid, text[]), public.preview_auto_assignment(integer, uuid),
  public.apply_auto_assignment(integer, uuid[], uuid[], uuid), public.reviewer_workload(integer) to authenticated;
revoke execute on function private.eoi_awaits_bdt(public.eoi_status) from public;
grant execute on function private.eoi_awaits_bdt(public.eoi_status) to authenticated, service_role;
