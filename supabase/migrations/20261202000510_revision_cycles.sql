-- Issue 15, "Revise and resubmit, capped". "Changes requested" returns the application with the Board's reasons;
-- the applicant edits and resubmits, BDT reviews and sends it back. Each call caps the revision cycles (default 2):
-- past the cap the Board may only approve, approve with conditions or reject, and the database refuses another
-- "changes requested" (vote or decision). The cycle number is stored on the application and with each packet, and
-- each packet keeps the answers as sent, so the Board sees what changed since the version it last saw.

-- columns ------------------------------------------------------------------------------------------------------------

alter table public.calls
  add column max_revision_cycles integer not null default 2 check (max_revision_cycles between 0 and 10);
comment on column public.calls.max_revision_cycles is
  'How many times the Board may request changes to one application of this call; past it, only a final decision.';

-- Written only by record_decision (the applicant's column grant does not include it).
alter table public.centre_applications
  add column revision_cycle integer not null default 0 check (revision_cycle >= 0);
comment on column public.centre_applications.revision_cycle is
  'How many times the Board has requested changes: 0 for a first submission, 1 in the first revision cycle, ...';

-- Read under the same rule as the rest of the packet's content (BDT, and members who declared no conflict).
alter table public.board_packet_contents
  add column revision_cycle integer not null default 0,
  add column answers jsonb;
comment on column public.board_packet_contents.answers is
  'The applicant''s answers as sent to the Board with this packet (the application changes in later cycles).';

-- calls: the cap is set on the call form -----------------------------------------------------------------------------

drop function public.create_call(text, timestamptz, timestamptz, text, text[]);
drop function public.update_call(uuid, text, timestamptz, timestamptz, text, text[]);

create function private.check_revision_cap(max_revision_cycles integer) returns void
language plpgsql immutable set search_path = '' as $$
begin
  if max_revision_cycles is null or max_revision_cycles not between 0 and 10 then
    perform private.fail('invalid_input', 'the cap on revision cycles is a whole number from 0 to 10');
  end if;
end
$$;
revoke execute on function private.check_revision_cap(integer) from public;

/** A coordinator creates a call, as a draft. */
create function public.create_call(title text, opens_at timestamptz, closes_at timestamptz, description text default '',
                                   allowed_centre_types text[] default '{}', max_revision_cycles integer default 2)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  new_id uuid;
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators create calls'); end if;
  perform private.check_call_input(title, opens_at, closes_at, allowed_centre_types);
  perform private.check_revision_cap(max_revision_cycles);
  insert into public.calls (title, description, opens_at, closes_at, allowed_centre_types, max_revision_cycles)
  values (btrim(title), coalesce(description, ''), opens_at, closes_at, coalesce(allowed_centre_types, '{}'),
          max_revision_cycles)
  returning id into new_id;
  perform private.audit('call', new_id, null, 'create_call', null, 'draft', null,
                        jsonb_build_object('title', btrim(title), 'opens_at', opens_at, 'closes_at', closes_at,
                                           'max_revision_cycles', max_revision_cycles));
  return new_id;
end
$$;

/** A coordinator edits a call; the audit entry keeps the window and the cap before and after. */
create function public.update_call(call uuid, title text, opens_at timestamptz, closes_at timestamptz,
                                   description text default '', allowed_centre_types text[] default '{}',
                                   max_revision_cycles integer default 2) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.calls;
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators edit calls'); end if;
  perform private.check_call_input(title, opens_at, closes_at, allowed_centre_types);
  perform private.check_revision_cap(max_revision_cycles);
  select * into row from public.calls c where c.id = call for update;
  if not found then perform private.fail('not_found', 'no such call'); end if;
  update public.calls c
  set title = btrim(update_call.title), description = coalesce(update_call.description, ''),
      opens_at = update_call.opens_at, closes_at = update_call.closes_at,
      allowed_centre_types = coalesce(update_call.allowed_centre_types, '{}'),
      max_revision_cycles = update_call.max_revision_cycles
  where c.id = call;
  perform private.audit('call', call, null, 'edit_call', row.status::text, row.status::text, null,
                        jsonb_build_object('title', btrim(title),
                                           'opens_at', jsonb_build_array(row.opens_at, opens_at),
                                           'closes_at', jsonb_build_array(row.closes_at, closes_at),
                                           'allowed_centre_types', coalesce(allowed_centre_types, '{}'),
                                           'max_revision_cycles', jsonb_build_array(row.max_revision_cycles, max_revision_cycles)));
end
$$;

revoke execute on function public.create_call(text, timestamptz, timestamptz, text, text[], integer),
  public.update_call(uuid, text, timestamptz, timestamptz, text, text[], integer) from public, anon;
grant execute on function public.create_call(text, timestamptz, timestamptz, text, text[], integer),
  public.update_call(uuid, text, timestamptz, timestamptz, text, text[], integer) to authenticated;

-- the cap ----------------------------------------------------------------------------------------------------------

/** The call's cap on revision cycles for an application (2 if the call is somehow missing). */
create function private.application_revision_cap(application uuid) returns integer
language sql stable security definer set search_path = '' as $$
  select coalesce((select c.max_revision_cycles from public.centre_applications a
                   join public.eois e on e.id = a.eoi_id join public.calls c on c.id = e.call_id
                   where a.id = application), 2)
$$;
revoke execute on function private.application_revision_cap(uuid) from public;

/** Refuses "changes requested" once the application has used every revision cycle its call allows. */
create function private.require_revision_left(app public.centre_applications) returns void
language plpgsql stable security definer set search_path = '' as $$
declare
  cap integer := private.application_revision_cap(app.id);
begin
  if app.revision_cycle >= cap then
    raise exception using errcode = 'P0001', hint = 'revision_cap_reached',
      message = format('no revision cycle left: %s of %s used; approve, approve with conditions or reject', app.revision_cycle, cap);
  end if;
end
$$;
revoke execute on function private.require_revision_left(public.centre_applications) from public;

-- transitions --------------------------------------------------------------------------------------------------------

/** The packet keeps the answers as sent and the cycle it belongs to. */
create or replace function public.open_board_review(title text, closes_at timestamptz, applications uuid[],
                                                    quorum integer default null, allow_plan_editing boolean default false)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  review uuid;
  packet uuid;
  app public.centre_applications;
begin
  if not private.has_role('board_chair') then perform private.fail('not_allowed', 'only the chair opens a review'); end if;
  if closes_at <= now() then perform private.fail('invalid_deadline', 'the review must close in the future'); end if;
  if coalesce(cardinality(applications), 0) = 0 then perform private.fail('reason_required', 'choose the packets'); end if;
  insert into public.board_reviews (title, closes_at, quorum, allow_plan_editing, opened_by)
  values (btrim(title), closes_at, quorum, allow_plan_editing, caller) returning id into review;
  for app in select * from public.centre_applications where id = any(applications) order by id for update loop
    if app.status <> 'board_review' then
      perform private.fail('invalid_transition', 'only applications sent to the Board can be reviewed');
    end if;
    if exists (select 1 from public.board_packets p join public.board_reviews r on r.id = p.review_id
               where p.application_id = app.id and r.status = 'open') then
      perform private.fail('invalid_transition', 'the application is already in an open review');
    end if;
    insert into public.board_packets (review_id, application_id, plan_version_id)
    values (review, app.id, app.sent_plan_version_id) returning id into packet;
    insert into public.board_packet_contents (packet_id, bdt_recommendation, bdt_recommended_outcome, revision_cycle, answers)
    values (packet, app.bdt_recommendation, app.bdt_recommended_outcome, app.revision_cycle,
            jsonb_build_object('centre_name', app.centre_name, 'governance', app.governance, 'resources', app.resources,
                               'partners', app.partners, 'host_details', app.host_details));
  end loop;
  if (select count(*) from public.board_packets where review_id = review) <> cardinality(applications) then
    perform private.fail('not_found', 'some applications do not exist');
  end if;
  perform private.audit('board_review', review, null, 'open_review', null, 'open', null,
                        jsonb_build_object('applications', applications, 'quorum', quorum, 'closes_at', closes_at));
  perform private.notify(private.users_with_role('board_member'), 'board_review_opened', 'board_review', review);
  return review;
end
$$;

/** As before, and a vote for "request changes" is refused once the application has no revision cycle left. */
create or replace function public.cast_vote(packet uuid, choice public.vote_choice, reason text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  review public.board_reviews;
  previous public.vote_choice;
  app public.centre_applications;
begin
  if not private.has_role('board_member') then perform private.fail('not_allowed', 'only board members vote'); end if;
  review := private.lock_open_packet(packet);
  if not exists (select 1 from public.conflict_declarations
                 where packet_id = packet and member_id = caller and not has_conflict) then
    perform private.fail('conflict_undeclared_or_conflicted', 'declare no conflict of interest before voting');
  end if;
  if coalesce(btrim(reason), '') = '' then perform private.fail('reason_required', 'give the reason for the vote'); end if;
  if choice = 'request_changes' then
    select a.* into app from public.board_packets p join public.centre_applications a on a.id = p.application_id
    where p.id = packet;
    perform private.require_revision_left(app);
  end if;
  select v.choice into previous from public.votes v where v.packet_id = packet and v.member_id = caller;
  insert into public.votes (packet_id, member_id, choice, reason) values (packet, caller, choice, btrim(reason))
  on conflict (packet_id, member_id) do update set choice = excluded.choice, reason = excluded.reason, updated_at = now();
  perform private.audit('board_packet', packet, null, case when previous is null then 'cast_vote' else 'change_vote' end,
                        previous::text, choice::text, reason);
end
$$;

/**
 * The chair records the decision once quorum is met. "Changes requested" needs the Board's reasons (the applicant
 * reads them), is refused past the call's cap, and starts the next revision cycle; approval designates the centre
 * and freezes the plan.
 */
create or replace function public.record_decision(packet uuid, outcome public.vote_choice, conditions text default null)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  packet_row public.board_packets;
  app public.centre_applications;
  tally record;
  new_status public.application_status;
  approved_version uuid;
  approved_hash text;
  centre uuid;
begin
  if not private.has_role('board_chair') then perform private.fail('not_allowed', 'only the chair records decisions'); end if;
  select * into packet_row from public.board_packets where id = packet for update;
  if not found then perform private.fail('not_found', 'no such packet'); end if;
  if exists (select 1 from public.conflict_declarations where packet_id = packet and member_id = caller and has_conflict) then
    perform private.fail('not_allowed', 'a conflicted chair cannot record this decision');
  end if;
  if exists (select 1 from public.board_decisions where packet_id = packet) then
    perform private.fail('invalid_transition', 'the decision is already recorded');
  end if;
  select * into tally from private.packet_quorum(packet);
  if tally.votes_counted < tally.quorum_required then
    raise exception using errcode = 'P0001', hint = 'quorum_not_met',
      message = format('quorum not met: %s of %s votes', tally.votes_counted, tally.quorum_required);
  end if;
  new_status := case outcome when 'approve' then 'approved' when 'approve_with_conditions' then 'approved_with_conditions'
                             when 'request_changes' then 'changes_requested' else 'rejected' end;
  if new_status = 'approved_with_conditions' and coalesce(btrim(conditions), '') = '' then
    perform private.fail('reason_required', 'state the conditions');
  end if;
  if new_status = 'changes_requested' and coalesce(btrim(conditions), '') = '' then
    perform private.fail('reason_required', 'give the Board''s reasons for the changes');
  end if;
  app := private.lock_application(packet_row.application_id);
  if app.status <> 'board_review' then perform private.fail('invalid_transition', 'the application is not in board review'); end if;
  if new_status = 'changes_requested' then perform private.require_revision_left(app); end if;
  insert into public.board_decisions (packet_id, outcome, conditions, votes_counted, quorum_required, recorded_by)
  values (packet, new_status, nullif(btrim(conditions), ''), tally.votes_counted, tally.quorum_required, caller);
  update public.centre_applications
  set status = new_status, decided_at = now(),
      revision_cycle = revision_cycle + case when new_status = 'changes_requested' then 1 else 0 end
  where id = app.id;
  perform private.audit('application', app.id, app.organisation_id, 'record_decision', 'board_review', new_status::text,
                        conditions, jsonb_build_object('packet_id', packet, 'votes_counted', tally.votes_counted,
                                                       'quorum_required', tally.quorum_required,
                                                       'revision_cycle', app.revision_cycle
                                                         + case when new_status = 'changes_requested' then 1 else 0 end));
  if new_status in ('approved', 'approved_with_conditions') then
    -- The approved plan is the exact version the Board reviewed, copied as an immutable, hashed snapshot.
    insert into public.plan_versions (plan_id, name, kind, content, content_hash, created_by)
    select v.plan_id, 'Approved by the Board', 'approved', v.content, v.content_hash, caller
    from public.plan_versions v where v.id = packet_row.plan_version_id
    returning id, content_hash into approved_version, approved_hash;
    insert into public.centres (application_id, organisation_id, name, country_code, region_code, centre_type, scope,
                                capabilities, approved_plan_version_id, plan_hash)
    select app.id, app.organisation_id, app.centre_name, o.country_code, c.region_code, app.centre_type, app.scope,
           app.capabilities, approved_version, approved_hash
    from public.organisations o join public.countries c on c.code = o.country_code where o.id = app.organisation_id
    returning id into centre;
    perform private.audit('centre', centre, app.organisation_id, 'designate_centre', null, 'designated', null,
                          jsonb_build_object('plan_version_id', approved_version, 'plan_hash', approved_hash));
  end if;
  perform private.notify(private.application_members(app) || private.users_with_role('coordinator'),
                         'board_decision_recorded', 'application', app.id, jsonb_build_object('outcome', new_status));
  return centre;
end
$$;

-- what changed since the Board last saw it ---------------------------------------------------------------------------

/**
 * For a packet: its revision cycle, the call's cap, and the packet the Board last decided "changes requested" on
 * (its answers as sent, its plan version, the Board's reasons), so members compare the two sent versions. Only for
 * those who may read the packet's content: members who declared no conflict, and BDT.
 */
create function public.get_packet_revision(packet uuid)
returns table (revision_cycle integer, max_revision_cycles integer, previous_packet_id uuid, previous_answers jsonb,
               previous_plan_version_id uuid, previous_reasons text)
language plpgsql stable security definer set search_path = '' as $$
declare
  current public.board_packets;
begin
  perform private.require_user();
  if not (private.is_bdt() or private.can_see_packet(packet)) then
    perform private.fail('not_allowed', 'only members who declared no conflict, and BDT, read a packet');
  end if;
  select * into current from public.board_packets p where p.id = packet;
  if not found then perform private.fail('not_found', 'no such packet'); end if;
  return query
  select coalesce(c.revision_cycle, 0), private.application_revision_cap(current.application_id),
         prev.id, prev_c.answers, prev.plan_version_id, prev_d.conditions
  from (select 1) one
  left join public.board_packet_contents c on c.packet_id = packet
  left join lateral (
    select p.* from public.board_packets p join public.board_decisions d on d.packet_id = p.id
    where p.application_id = current.application_id and p.created_at < current.created_at
      and d.outcome = 'changes_requested'
    order by p.created_at desc limit 1) prev on true
  left join public.board_packet_contents prev_c on prev_c.packet_id = prev.id
  left join public.board_decisions prev_d on prev_d.packet_id = prev.id;
end
$$;
revoke execute on function public.get_packet_revision(uuid) from public, anon;
grant execute on function public.get_packet_revision(uuid) to authenticated;

/**
 * The agenda, with each application's revision cycle under the same rule as its status (a past "changes requested"
 * is an outcome too): hidden from a member who may not see the application once it has left the Board.
 */
drop function public.list_board_agenda();
create function public.list_board_agenda()
returns table (application_id uuid, centre_name text, host_institution text, country_code text,
               status public.application_status, sent_at timestamptz, in_open_review boolean, revision_cycle integer)
language plpgsql stable security definer set search_path = '' as $$
declare
  sees_all boolean := private.is_bdt() or private.has_role('board_chair');
begin
  if not (private.is_board() or private.is_bdt()) then perform private.fail('not_allowed', 'Board and BDT only'); end if;
  return query
  select a.id, a.centre_name, o.name, o.country_code::text,
         case when sees_all or a.status = 'board_review' or private.can_see_application(a.id) then a.status end,
         v.created_at,
         exists (select 1 from public.board_packets p join public.board_reviews r on r.id = p.review_id
                 where p.application_id = a.id and r.status = 'open'),
         case when sees_all or a.status = 'board_review' or private.can_see_application(a.id) then a.revision_cycle end
  from public.centre_applications a
  join public.organisations o on o.id = a.organisation_id
  join public.plan_versions v on v.id = a.sent_plan_version_id;
end
$$;
revoke execute on function public.list_board_agenda() from public, anon;
grant execute on function public.list_board_agenda() to authenticated;
