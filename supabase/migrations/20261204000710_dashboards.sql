-- Issue 17, "Dashboards for BDT and the Board": the pipeline per call (EoIs and applications by state, time spent in
-- each state from the audit trail, overdue items, submissions over time) for BDT, and the portfolio balance of
-- designated centres and of those before the Board (by ITU region, LDC/LLDC/SIDS, centre type, scope, strategic
-- capability) for BDT and the Board.
--
-- The pipeline functions run as the caller (security invoker), so RLS decides what they count: exactly the EoIs,
-- applications and audit entries BDT may read (never an EoI still in draft). The portfolio runs as definer, since
-- Board members may not read institutions, and counts an application under review only where the caller may see
-- it: BDT always; a Board member only for a packet they declared free of conflict (private.can_see_packet, which
-- also keeps out every packet of an application they declared a conflict on). The others are counted as hidden.

/** The filters every pipeline figure takes: call, ITU region of the institution, centre type (null: all). */
create function private.check_dashboard_filters(region text, centre_type text) returns void
language plpgsql stable set search_path = '' as $$
begin
  perform private.require_user();
  if not private.is_bdt() then perform private.fail('not_allowed', 'the pipeline is for BDT'); end if;
  if check_dashboard_filters.region is not null and not exists (select 1 from public.itu_regions r where r.code = check_dashboard_filters.region) then
    perform private.fail('invalid_reference', 'unknown ITU region');
  end if;
  if check_dashboard_filters.centre_type is not null and not exists (select 1 from public.centre_types t where t.code = check_dashboard_filters.centre_type) then
    perform private.fail('invalid_reference', 'unknown centre type');
  end if;
end
$$;
revoke execute on function private.check_dashboard_filters(text, text) from public;
grant execute on function private.check_dashboard_filters(text, text) to authenticated;

/**
 * EoIs and applications by state, with how many of them are overdue: awaiting BDT (EoIs submitted, under
 * validation, in clarification or resubmitted; applications submitted or in BDT review) for longer than
 * overdue_days since submission. An EoI's centre type is the one proposed; an application's, its own.
 */
create function public.dashboard_pipeline(call uuid default null, region text default null,
                                          centre_type text default null, overdue_days integer default 30)
returns table (kind text, status text, items integer, overdue integer)
language plpgsql stable security invoker set search_path = '' as $$
begin
  perform private.check_dashboard_filters(dashboard_pipeline.region, dashboard_pipeline.centre_type);
  return query
    select 'eoi'::text, x.status::text, count(*)::integer,
           count(*) filter (where private.eoi_awaits_bdt(x.status)
                              and x.submitted_at < now() - make_interval(days => greatest(overdue_days, 0)))::integer
    from public.eois x
    join public.organisations o on o.id = x.organisation_id
    join public.countries c on c.code = o.country_code
    where (dashboard_pipeline.call is null or x.call_id = dashboard_pipeline.call) and (dashboard_pipeline.region is null or c.region_code = dashboard_pipeline.region)
      and (dashboard_pipeline.centre_type is null or x.proposed_centre_type = dashboard_pipeline.centre_type)
    group by x.status
    union all
    select 'application'::text, a.status::text, count(*)::integer,
           count(*) filter (where a.status in ('submitted', 'bdt_review')
                              and a.submitted_at < now() - make_interval(days => greatest(overdue_days, 0)))::integer
    from public.centre_applications a
    join public.eois x on x.id = a.eoi_id
    join public.organisations o on o.id = a.organisation_id
    join public.countries c on c.code = o.country_code
    where (dashboard_pipeline.call is null or x.call_id = dashboard_pipeline.call) and (dashboard_pipeline.region is null or c.region_code = dashboard_pipeline.region)
      and (dashboard_pipeline.centre_type is null or a.centre_type = dashboard_pipeline.centre_type)
    group by a.status;
end
$$;

/**
 * Time spent in each state, from the audit trail: a stay runs from the entry that moved the record into a state to
 * the next entry that moved it out. Only finished stays count (a record still in a state has not finished its
 * stay). Median and 90th percentile in days.
 */
create function public.dashboard_state_durations(call uuid default null, region text default null,
                                                 centre_type text default null)
returns table (kind text, status text, stays integer, median_days numeric, p90_days numeric)
language plpgsql stable security invoker set search_path = '' as $$
begin
  perform private.check_dashboard_filters(dashboard_state_durations.region, dashboard_state_durations.centre_type);
  return query
    with records as (
      select 'eoi'::text as kind, x.id
      from public.eois x
      join public.organisations o on o.id = x.organisation_id
      join public.countries c on c.code = o.country_code
      where (dashboard_state_durations.call is null or x.call_id = dashboard_state_durations.call) and (dashboard_state_durations.region is null or c.region_code = dashboard_state_durations.region)
        and (dashboard_state_durations.centre_type is null or x.proposed_centre_type = dashboard_state_durations.centre_type)
      union all
      select 'application'::text, a.id
      from public.centre_applications a
      join public.eois x on x.id = a.eoi_id
      join public.organisations o on o.id = a.organisation_id
      join public.countries c on c.code = o.country_code
      where (dashboard_state_durations.call is null or x.call_id = dashboard_state_durations.call) and (dashboard_state_durations.region is null or c.region_code = dashboard_state_durations.region)
        and (dashboard_state_durations.centre_type is null or a.centre_type = dashboard_state_durations.centre_type)
    ),
    moves as (
      select r.kind, l.entity_id, l.to_state, l.occurred_at,
             lead(l.occurred_at) over (partition by l.entity_id order by l.id) as left_at
      from public.audit_log l
      join records r on r.id = l.entity_id and l.entity_type = r.kind
      where l.to_state is not null and l.from_state is distinct from l.to_state
    )
    select m.kind, m.to_state, count(*)::integer,
           round((percentile_cont(0.5) within group (order by extract(epoch from m.left_at - m.occurred_at)) / 86400)::numeric, 2),
           round((percentile_cont(0.9) within group (order by extract(epoch from m.left_at - m.occurred_at)) / 86400)::numeric, 2)
    from moves m
    where m.left_at is not null
    group by m.kind, m.to_state;
end
$$;

/** EoIs submitted per week (weeks start on Monday, UTC), for the line over time. */
create function public.dashboard_submissions(call uuid default null, region text default null,
                                             centre_type text default null)
returns table (week date, eois integer)
language plpgsql stable security invoker set search_path = '' as $$
begin
  perform private.check_dashboard_filters(dashboard_submissions.region, dashboard_submissions.centre_type);
  return query
    select (date_trunc('week', x.submitted_at at time zone 'UTC'))::date, count(*)::integer
    from public.eois x
    join public.organisations o on o.id = x.organisation_id
    join public.countries c on c.code = o.country_code
    where x.submitted_at is not null and (dashboard_submissions.call is null or x.call_id = dashboard_submissions.call) and (dashboard_submissions.region is null or c.region_code = dashboard_submissions.region)
      and (dashboard_submissions.centre_type is null or x.proposed_centre_type = dashboard_submissions.centre_type)
    group by 1
    order by 1;
end
$$;

/**
 * The balance of the network: designated centres, and the applications under review (every one before the Board,
 * or, given a review, that review's application packets not yet decided; a major amendment's packet concerns a
 * centre already designated and is not counted twice), by dimension: region (ITU region code), development
 * (ldc, lldc, sids), centre_type, scope and capability. BDT and the Board only. Applications the caller may not see
 * are left out of every figure and counted once in the row ('hidden', 'applications').
 */
create function public.dashboard_portfolio(review uuid default null)
returns table (dimension text, category text, designated integer, under_review integer)
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_user();
  if not (private.is_bdt() or private.is_board()) then
    perform private.fail('not_allowed', 'the portfolio is for BDT and the Board');
  end if;
  if dashboard_portfolio.review is not null and not exists (select 1 from public.board_reviews r where r.id = dashboard_portfolio.review) then
    perform private.fail('not_found', 'no such review');
  end if;
  return query
    with pending as (
      select a.id, a.centre_type, a.scope, a.capabilities, o.country_code,
             private.is_bdt() or exists (
               select 1 from public.board_packets p
               where p.application_id = a.id and (dashboard_portfolio.review is null or p.review_id = dashboard_portfolio.review)
                 and p.amendment_id is null and private.can_see_packet(p.id)) as visible
      from public.centre_applications a
      join public.organisations o on o.id = a.organisation_id
      where (dashboard_portfolio.review is null and a.status = 'board_review')
         or (dashboard_portfolio.review is not null and exists (
               select 1 from public.board_packets p
               where p.application_id = a.id and p.review_id = dashboard_portfolio.review and p.amendment_id is null
                 and not exists (select 1 from public.board_decisions d where d.packet_id = p.id)))
    ),
    items as (
      select true as designated, ce.centre_type, ce.scope::text as scope, ce.capabilities, ce.country_code
      from public.centres ce
      union all
      select false, pe.centre_type, pe.scope::text, pe.capabilities, pe.country_code from pending pe where pe.visible
    ),
    facts as (
      select i.designated, 'region'::text as dimension, c.region_code as category
        from items i join public.countries c on c.code = i.country_code
      union all
      select i.designated, 'development', d.code
        from items i join public.countries c on c.code = i.country_code
        cross join lateral (values ('ldc', c.is_ldc), ('lldc', c.is_lldc), ('sids', c.is_sids)) d(code, applies)
        where d.applies
      union all
      select i.designated, 'centre_type', i.centre_type from items i where i.centre_type is not null
      union all
      select i.designated, 'scope', i.scope from items i where i.scope is not null
      union all
      select i.designated, 'capability', cap from items i cross join lateral unnest(i.capabilities) cap
    )
    select f.dimension, f.category, (count(*) filter (where f.designated))::integer,
           (count(*) filter (where not f.designated))::integer
    from facts f
    group by f.dimension, f.category
    union all
    select 'total', 'all', (select count(*) from public.centres)::integer,
           (select count(*) from pending pe where pe.visible)::integer
    union all
    select 'hidden', 'applications', 0, (select count(*) from pending pe where not pe.visible)::integer;
end
$$;

revoke execute on function public.dashboard_pipeline(uuid, text, text, integer),
  public.dashboard_state_durations(uuid, text, text), public.dashboard_submissions(uuid, text, text),
  public.dashboard_portfolio(uuid) from public, anon;
grant execute on function public.dashboard_pipeline(uuid, text, text, integer),
  public.dashboard_state_durations(uuid, text, text), public.dashboard_submissions(uuid, text, text),
  public.dashboard_portfolio(uuid) to authenticated;
