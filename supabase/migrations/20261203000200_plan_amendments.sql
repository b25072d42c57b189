-- Issue 15, amendments to the approved plan. A designated centre proposes an amendment: a new action plan document
-- (its own Yjs document, so the collaboration server's storage, access checks and rights signals apply unchanged),
-- seeded from the approved baseline's content. BDT approves minor amendments; major ones (BDT says so, or the
-- objectives or KPI targets differ from the baseline, detected here from the content) go to the Board as a packet
-- of the existing review pipeline. On approval the submitted version becomes the centre's approved baseline (an
-- immutable, hashed plan version), and centre_baselines keeps the public history: who approved each and why.

create type public.amendment_status as enum (
  'draft', 'submitted', 'board_review', 'changes_requested', 'approved', 'rejected', 'withdrawn');

-- An amendment's document has no application of its own: it belongs to the amendment (plan_amendments.plan_id).
-- application_id stays unique, so an application still has exactly one plan of its own.
alter table public.action_plans alter column application_id drop not null;

-- plan_amendments ----------------------------------------------------------------------------------------------------

create table public.plan_amendments (
  id uuid primary key default gen_random_uuid(),
  centre_id uuid not null references public.centres (id),
  -- The centre's application: packets, plan access and rights signals are keyed on it.
  application_id uuid not null references public.centre_applications (id),
  organisation_id uuid not null references public.organisations (id),
  plan_id uuid not null unique references public.action_plans (id),
  -- The approved baseline the amendment started from (the centre's approved version at the time).
  base_version_id uuid not null references public.plan_versions (id),
  reason text not null check (char_length(btrim(reason)) between 1 and 5000),
  status public.amendment_status not null default 'draft',
  -- The version submitted for approval, and why it is major ('objectives', 'kpi_targets', 'bdt'); empty: minor.
  sent_version_id uuid references public.plan_versions (id),
  major_reasons text[] not null default '{}',
  -- BDT's last reasons (sending to the Board, requesting changes, approving or rejecting).
  bdt_reason text check (char_length(bdt_reason) <= 5000),
  approved_version_id uuid references public.plan_versions (id),
  proposed_by uuid references auth.users (id) on delete set null,
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.plan_amendments is
  'Proposed amendments to a designated centre''s approved action plan, each with its own co-edited document.';
alter table public.plan_amendments enable row level security;
create index plan_amendments_centre_idx on public.plan_amendments (centre_id, created_at desc);
create index plan_amendments_organisation_idx on public.plan_amendments (organisation_id);
-- One amendment in progress per centre: each starts from the baseline the previous one left.
create unique index plan_amendments_one_open_idx on public.plan_amendments (centre_id)
  where status in ('draft', 'submitted', 'board_review', 'changes_requested');
create trigger plan_amendments_touch_updated_at before update on public.plan_amendments
  for each row execute function private.touch_updated_at();
revoke insert, update, delete, truncate on public.plan_amendments from anon, authenticated;
create trigger plan_amendments_signal_plan_access after update of status on public.plan_amendments
  for each row when (old.status is distinct from new.status)
  execute function private.signal_plan_access_change('application', 'application_id');

alter table public.board_packets add column amendment_id uuid references public.plan_amendments (id);
comment on column public.board_packets.amendment_id is 'Set when the packet is a major amendment, not the application.';
create index board_packets_amendment_idx on public.board_packets (amendment_id) where amendment_id is not null;

-- centre_baselines ---------------------------------------------------------------------------------------------------

create table public.centre_baselines (
  id bigint generated always as identity primary key,
  centre_id uuid not null references public.centres (id),
  plan_version_id uuid not null references public.plan_versions (id),
  plan_hash text not null,
  approving_body text not null check (approving_body in ('board', 'bdt')),
  approved_by uuid references auth.users (id) on delete set null,
  -- The approver's name as it was, so the public history never reads profiles.
  approved_by_name text,
  reason text,
  amendment_id uuid references public.plan_amendments (id),
  approved_at timestamptz not null default now()
);
comment on table public.centre_baselines is
  'The public history of a centre''s approved plan baselines: designation, then each approved amendment.';
alter table public.centre_baselines enable row level security;
create index centre_baselines_centre_idx on public.centre_baselines (centre_id, approved_at);
revoke insert, update, delete, truncate on public.centre_baselines from anon, authenticated, service_role;
create trigger centre_baselines_immutable before update or delete on public.centre_baselines
  for each row execute function private.forbid_change('baselines are never rewritten', 'version_immutable');

create policy "Anyone reads the history of approved baselines" on public.centre_baselines
  for select to anon, authenticated using (true);
create policy "Deactivated accounts read and write nothing" on public.centre_baselines as restrictive for all
  to authenticated using ((select private.caller_is_active())) with check ((select private.caller_is_active()));

create function private.person_name(person uuid) returns text
language sql stable security definer set search_path = '' as $$
  select coalesce(nullif(btrim(p.display_name), ''), split_part(p.email, '@', 1)) from public.profiles p where p.id = person
$$;
revoke execute on function private.person_name(uuid) from public;

/** Designation is the first baseline: the Board's decision, recorded by the chair, with its conditions as reasons. */
create function private.record_designation_baseline() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.centre_baselines (centre_id, plan_version_id, plan_hash, approving_body, approved_by,
                                       approved_by_name, reason, approved_at)
  select new.id, new.approved_plan_version_id, new.plan_hash, 'board', d.recorded_by, private.person_name(d.recorded_by),
         d.conditions, new.designated_at
  from (select 1) one
  left join lateral (select d.* from public.board_decisions d join public.board_packets p on p.id = d.packet_id
                     where p.application_id = new.application_id and p.amendment_id is null
                     order by d.recorded_at desc limit 1) d on true;
  return null;
end
$$;
revoke execute on function private.record_designation_baseline() from public;
create trigger centres_record_designation_baseline after insert on public.centres
  for each row execute function private.record_designation_baseline();

-- Centres designated before this migration get their first baseline now.
insert into public.centre_baselines (centre_id, plan_version_id, plan_hash, approving_body, approved_by, approved_by_name,
                                     reason, approved_at)
select c.id, c.approved_plan_version_id, c.plan_hash, 'board', d.recorded_by, private.person_name(d.recorded_by),
       d.conditions, c.designated_at
from public.centres c
left join lateral (select d.* from public.board_decisions d join public.board_packets p on p.id = d.packet_id
                   where p.application_id = c.application_id order by d.recorded_at desc limit 1) d on true;

-- permission helpers -------------------------------------------------------------------------------------------------

/** Board members see an amendment once they declared no conflict on one of its packets. */
create function private.can_see_amendment_packet(amendment uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.board_packets p where p.amendment_id = amendment and private.can_see_packet(p.id))
$$;

create function private.can_see_amendment(amendment uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.plan_amendments m where m.id = amendment
                 and (private.is_member(m.organisation_id) or private.is_bdt()))
    or private.can_see_amendment_packet(amendment)
$$;
revoke execute on function private.can_see_amendment_packet(uuid), private.can_see_amendment(uuid) from public;
grant execute on function private.can_see_amendment_packet(uuid), private.can_see_amendment(uuid) to authenticated, service_role;

create policy "The centre, BDT and Board members on its packet read an amendment" on public.plan_amendments
  for select to authenticated using (private.can_see_amendment(id));
create policy "Deactivated accounts read and write nothing" on public.plan_amendments as restrictive for all
  to authenticated using ((select private.caller_is_active())) with check ((select private.caller_is_active()));

/**
 * The one answer to "what may the caller do with this plan", now for amendment documents too: the centre and BDT
 * co-edit a draft (or one returned with changes requested); once submitted nobody edits, so what is approved is
 * exactly what was submitted; Board members on its packet comment (or edit, if the review allows it); decided
 * amendments are read-only.
 */
create or replace function private.plan_access(plan uuid) returns public.plan_access_level
language plpgsql stable security definer set search_path = '' as $$
declare
  app public.centre_applications;
  amendment public.plan_amendments;
  review public.board_reviews;
  packet uuid;
begin
  if (select auth.uid()) is null then return null; end if;
  select m.* into amendment from public.plan_amendments m where m.plan_id = plan;
  if found then
    if amendment.status in ('approved', 'rejected', 'withdrawn') then
      return case when private.can_see_amendment(amendment.id) then 'read'::public.plan_access_level end;
    end if;
    if private.is_member(amendment.organisation_id) or private.is_bdt() then
      return case when amendment.status in ('draft', 'changes_requested') then 'edit' else 'comment' end;
    end if;
    select p.id into packet from public.board_packets p join public.board_reviews r on r.id = p.review_id
    where p.amendment_id = amendment.id and private.can_see_packet(p.id)
    order by r.opened_at desc limit 1;
  else
    select a.* into app from public.action_plans p join public.centre_applications a on a.id = p.application_id
    where p.id = plan;
    if not found then return null; end if;
    -- Approval freezes the plan: whoever may see it reads it, nobody changes it.
    if app.status in ('approved', 'approved_with_conditions', 'rejected') then
      return case when private.can_see_application(app.id) then 'read'::public.plan_access_level end;
    end if;
    if private.is_member(app.organisation_id) then
      return case when app.status in ('draft', 'changes_requested') then 'edit' else 'comment' end;
    end if;
    if private.is_bdt() then
      return case when app.status in ('draft', 'submitted', 'bdt_review', 'changes_requested') then 'edit' else 'comment' end;
    end if;
    select p.id into packet from public.board_packets p join public.board_reviews r on r.id = p.review_id
    where p.application_id = app.id and p.amendment_id is null and private.can_see_packet(p.id)
    order by r.opened_at desc limit 1;
  end if;
  if packet is null then return null; end if;
  select r.* into review from public.board_reviews r join public.board_packets p on p.review_id = r.id where p.id = packet;
  if review.status = 'open' then
    return case when review.allow_plan_editing then 'edit' else 'comment' end;
  end if;
  return 'read';
end
$$;

/** Audit entries about an amendment's document are filed under the centre's organisation too. */
create or replace function private.audit_plan(plan uuid, action text, reason text, details jsonb) returns void
language sql security definer set search_path = '' as $$
  select private.audit('plan', plan, coalesce(a.organisation_id, m.organisation_id), action, null, null, reason, details)
  from public.action_plans p
  left join public.centre_applications a on a.id = p.application_id
  left join public.plan_amendments m on m.plan_id = p.id
  where p.id = plan
$$;

-- what makes an amendment major ---------------------------------------------------------------------------------------

/** The text of a TipTap node, its text nodes joined in document order. */
create function private.plan_node_text(node jsonb) returns text
language sql immutable set search_path = '' as $$
  select coalesce(btrim(string_agg(t #>> '{}', '' order by n)), '')
  from jsonb_path_query(coalesce(node, 'null'), 'strict $.**.text') with ordinality as x(t, n)
$$;

/**
 * The commitments of a plan that only the Board may change: the text under each "Objectives" heading and the
 * indicator and target columns of each "Key performance indicators" table (the plan template's headings), per
 * section (the level 1-2 heading above them). Empty paragraphs are left out, so layout changes are not commitments.
 */
create function private.plan_commitments(doc jsonb) returns jsonb
language plpgsql immutable set search_path = '' as $$
declare
  node jsonb;
  tablerow jsonb;
  section text := '';
  subsection text := '';
  body text;
  objectives jsonb := '[]';
  targets jsonb := '[]';
begin
  for node in select value from jsonb_array_elements(coalesce(doc -> 'content', '[]')) loop
    if node ->> 'type' = 'heading' then
      if coalesce((node -> 'attrs' ->> 'level')::integer, 1) <= 2 then
        section := private.plan_node_text(node);
        subsection := '';
      else
        subsection := lower(private.plan_node_text(node));
      end if;
    elsif subsection like 'objective%' then
      body := private.plan_node_text(node);
      if body <> '' then objectives := objectives || jsonb_build_array(jsonb_build_array(section, body)); end if;
    elsif subsection like 'key performance indicator%' and node ->> 'type' = 'table' then
      for tablerow in select value from jsonb_array_elements(coalesce(node -> 'content', '[]')) loop
        if tablerow -> 'content' -> 0 ->> 'type' = 'tableCell' then
          targets := targets || jsonb_build_array(jsonb_build_array(section,
            private.plan_node_text(tablerow -> 'content' -> 0), private.plan_node_text(tablerow -> 'content' -> 2)));
        end if;
      end loop;
    end if;
  end loop;
  return jsonb_build_object('objectives', objectives, 'kpi_targets', targets);
end
$$;

/** Which commitments differ between two plans: 'objectives', 'kpi_targets', both or none. */
create function private.major_changes(before jsonb, after jsonb) returns text[]
language sql immutable set search_path = '' as $$
  select array_remove(array[
    case when private.plan_commitments(before) -> 'objectives' is distinct from private.plan_commitments(after) -> 'objectives'
         then 'objectives' end,
    case when private.plan_commitments(before) -> 'kpi_targets' is distinct from private.plan_commitments(after) -> 'kpi_targets'
         then 'kpi_targets' end], null)
$$;
revoke execute on function private.plan_node_text(jsonb), private.plan_commitments(jsonb),
  private.major_changes(jsonb, jsonb) from public;

-- transitions --------------------------------------------------------------------------------------------------------

create function private.lock_amendment(amendment uuid) returns public.plan_amendments
language plpgsql security definer set search_path = '' as $$
declare
  row public.plan_amendments;
begin
  select * into row from public.plan_amendments where id = amendment for update;
  if not found or not private.can_see_amendment(amendment) then perform private.fail('not_found', 'no such amendment'); end if;
  return row;
end
$$;

create function private.amendment_members(am public.plan_amendments) returns uuid[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(user_id), '{}') from public.organisation_members where organisation_id = am.organisation_id
$$;

create function private.amendment_reviewers() returns uuid[]
language sql stable security definer set search_path = '' as $$
  select private.users_with_role('reviewer') || private.users_with_role('coordinator')
$$;

/**
 * The submitted version becomes the centre's approved baseline: copied as an immutable, hashed 'approved' version,
 * made the centre's approved plan, and recorded in the public history with who approved it and why.
 */
create function private.adopt_amendment(am public.plan_amendments, body text, reason text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := (select auth.uid());
  approved uuid;
  hash text;
begin
  insert into public.plan_versions (plan_id, name, kind, content, content_hash, created_by)
  select v.plan_id, 'Approved amendment', 'approved', v.content, v.content_hash, caller
  from public.plan_versions v where v.id = am.sent_version_id
  returning id, content_hash into approved, hash;
  update public.centres set approved_plan_version_id = approved, plan_hash = hash where id = am.centre_id;
  insert into public.centre_baselines (centre_id, plan_version_id, plan_hash, approving_body, approved_by,
                                       approved_by_name, reason, amendment_id)
  values (am.centre_id, approved, hash, body, caller, private.person_name(caller), nullif(btrim(reason), ''), am.id);
  update public.plan_amendments set status = 'approved', approved_version_id = approved, decided_at = now()
  where id = am.id;
  perform private.audit('centre', am.centre_id, am.organisation_id, 'adopt_amendment', null, 'amended', reason,
                        jsonb_build_object('amendment_id', am.id, 'plan_version_id', approved, 'plan_hash', hash,
                                           'approving_body', body));
  return approved;
end
$$;
revoke execute on function private.lock_amendment(uuid), private.amendment_members(public.plan_amendments),
  private.amendment_reviewers(), private.adopt_amendment(public.plan_amendments, text, text) from public;

/** A member of a designated centre's organisation proposes an amendment, starting from the approved baseline. */
create function public.propose_amendment(centre uuid, reason text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  target public.centres;
  plan uuid;
  new_id uuid;
begin
  select * into target from public.centres c where c.id = centre for update;
  if not found then perform private.fail('not_found', 'no such centre'); end if;
  if not private.is_member(target.organisation_id) then
    perform private.fail('not_allowed', 'only the centre''s people propose amendments');
  end if;
  if coalesce(btrim(reason), '') = '' then perform private.fail('reason_required', 'say why the plan should change'); end if;
  if exists (select 1 from public.plan_amendments m where m.centre_id = centre
             and m.status in ('draft', 'submitted', 'board_review', 'changes_requested')) then
    perform private.fail('invalid_transition', 'the centre already has an amendment in progress');
  end if;
  -- The new document starts as the baseline's content: the collaboration server loads it from action_plans.content.
  insert into public.action_plans (application_id, content)
  select null, v.content from public.plan_versions v where v.id = target.approved_plan_version_id
  returning id into plan;
  insert into public.plan_amendments (centre_id, application_id, organisation_id, plan_id, base_version_id, reason, proposed_by)
  values (centre, target.application_id, target.organisation_id, plan, target.approved_plan_version_id, btrim(reason), caller)
  returning id into new_id;
  perform private.audit('amendment', new_id, target.organisation_id, 'propose_amendment', null, 'draft', reason,
                        jsonb_build_object('centre_id', centre, 'plan_id', plan, 'base_version_id', target.approved_plan_version_id));
  perform private.notify(private.amendment_reviewers(), 'amendment_proposed', 'amendment', new_id);
  return new_id;
end
$$;

/**
 * The centre submits the amendment for approval: the document (written to action_plans.content by the app first)
 * is snapshotted, and compared with the baseline to say whether it is major.
 */
create function public.submit_amendment(amendment uuid) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  row public.plan_amendments;
  version uuid;
  changes text[];
begin
  perform private.require_user();
  row := private.lock_amendment(amendment);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'only the centre submits'); end if;
  if row.status not in ('draft', 'changes_requested') then
    perform private.fail('invalid_transition', 'only a draft or an amendment with changes requested is submitted');
  end if;
  version := private.snapshot_plan(row.plan_id, 'Amendment submitted', 'named');
  select private.major_changes(b.content, s.content) into changes
  from public.plan_versions b, public.plan_versions s where b.id = row.base_version_id and s.id = version;
  update public.plan_amendments set status = 'submitted', sent_version_id = version, major_reasons = changes
  where id = amendment;
  perform private.audit('amendment', amendment, row.organisation_id, 'submit_amendment', row.status::text, 'submitted',
                        null, jsonb_build_object('plan_version_id', version, 'major_reasons', changes));
  perform private.notify(private.amendment_reviewers(), 'amendment_submitted', 'amendment', amendment);
  return version;
end
$$;

/**
 * BDT decides a submitted amendment, with reasons: approve it (minor only), send it to the Board (major: BDT's
 * judgement, or automatically when objectives or KPI targets changed), return it with changes requested, or reject it.
 */
create function public.decide_amendment(amendment uuid, decision text, reason text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.plan_amendments;
  next_status public.amendment_status;
begin
  perform private.require_user();
  if not private.is_bdt() then perform private.fail('not_allowed', 'only BDT decides amendments'); end if;
  row := private.lock_amendment(amendment);
  if row.status <> 'submitted' then perform private.fail('invalid_transition', 'only a submitted amendment is decided'); end if;
  if decision is null or decision not in ('approve', 'send_to_board', 'request_changes', 'reject') then
    perform private.fail('invalid_input', 'unknown decision');
  end if;
  if coalesce(btrim(reason), '') = '' then perform private.fail('reason_required', 'give the reasons'); end if;
  if decision = 'approve' and cardinality(row.major_reasons) > 0 then
    raise exception using errcode = 'P0001', hint = 'amendment_major',
      message = 'a major amendment (' || array_to_string(row.major_reasons, ', ') || ') goes to the Board';
  end if;
  next_status := case decision when 'approve' then 'approved' when 'send_to_board' then 'board_review'
                               when 'request_changes' then 'changes_requested' else 'rejected' end;
  update public.plan_amendments
  set status = case when decision = 'approve' then status else next_status end, bdt_reason = btrim(decide_amendment.reason),
      major_reasons = case when decision = 'send_to_board' and cardinality(major_reasons) = 0 then array['bdt']
                           else major_reasons end,
      decided_at = case when decision = 'reject' then now() else decided_at end
  where id = amendment returning * into row;
  if decision = 'approve' then perform private.adopt_amendment(row, 'bdt', reason); end if;
  perform private.audit('amendment', amendment, row.organisation_id, 'decide_amendment', 'submitted', next_status::text,
                        reason, jsonb_build_object('decision', decision, 'major_reasons', row.major_reasons));
  perform private.notify(private.amendment_members(row)
                         || case when decision = 'send_to_board' then private.users_with_role('board_chair') else '{}' end,
                         'amendment_decided', 'amendment', amendment, jsonb_build_object('outcome', next_status));
end
$$;

/** The centre withdraws an amendment that is not before the Board or decided. */
create function public.withdraw_amendment(amendment uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.plan_amendments;
begin
  perform private.require_user();
  row := private.lock_amendment(amendment);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'only the centre withdraws'); end if;
  if row.status not in ('draft', 'submitted', 'changes_requested') then
    perform private.fail('invalid_transition', 'this amendment can no longer be withdrawn');
  end if;
  update public.plan_amendments set status = 'withdrawn', decided_at = now() where id = amendment;
  perform private.audit('amendment', amendment, row.organisation_id, 'withdraw_amendment', row.status::text, 'withdrawn', null);
  perform private.notify(private.amendment_reviewers(), 'amendment_withdrawn', 'amendment', amendment);
end
$$;

revoke execute on function public.propose_amendment(uuid, text), public.submit_amendment(uuid),
  public.decide_amendment(uuid, text, text), public.withdraw_amendment(uuid) from public, anon;
grant execute on function public.propose_amendment(uuid, text), public.submit_amendment(uuid),
  public.decide_amendment(uuid, text, text), public.withdraw_amendment(uuid) to authenticated;

-- the Board ------------------------------------------------------------------------------------------------------------

/**
 * As before (migration 20261202000510), and the ids may also name major amendments sent to the Board: each becomes a
 * packet of the centre's application carrying the amendment, with the submitted version as the plan version.
 */
create or replace function public.open_board_review(title text, closes_at timestamptz, applications uuid[],
                                                    quorum integer default null, allow_plan_editing boolean default false)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  review uuid;
  packet uuid;
  app public.centre_applications;
  amendment public.plan_amendments;
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
               where p.application_id = app.id and p.amendment_id is null and r.status = 'open') then
      perform private.fail('invalid_transition', 'the application is already in an open review');
    end if;
    insert into public.board_packets (review_id, application_id, plan_version_id)
    values (review, app.id, app.sent_plan_version_id) returning id into packet;
    insert into public.board_packet_contents (packet_id, bdt_recommendation, bdt_recommended_outcome, revision_cycle, answers)
    values (packet, app.bdt_recommendation, app.bdt_recommended_outcome, app.revision_cycle,
            jsonb_build_object('centre_name', app.centre_name, 'governance', app.governance, 'resources', app.resources,
                               'partners', app.partners, 'host_details', app.host_details));
  end loop;
  for amendment in select * from public.plan_amendments where id = any(applications) order by id for update loop
    if amendment.status <> 'board_review' then
      perform private.fail('invalid_transition', 'only amendments sent to the Board can be reviewed');
    end if;
    if exists (select 1 from public.board_packets p join public.board_reviews r on r.id = p.review_id
               where p.amendment_id = amendment.id and r.status = 'open') then
      perform private.fail('invalid_transition', 'the amendment is already in an open review');
    end if;
    insert into public.board_packets (review_id, application_id, plan_version_id, amendment_id)
    values (review, amendment.application_id, amendment.sent_version_id, amendment.id) returning id into packet;
    insert into public.board_packet_contents (packet_id, bdt_recommendation, bdt_recommended_outcome, revision_cycle, answers)
    values (packet, amendment.bdt_reason, null, 0, jsonb_build_object('amendment_reason', amendment.reason));
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

/** As before; the revision-cycle cap is the application's, so it never limits a vote on an amendment. */
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
  if choice = 'request_changes' and not exists (
       select 1 from public.board_packets p where p.id = packet and p.amendment_id is not null) then
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

/** The amendments before the Board, as the agenda names them (centre and host institution), for Board and BDT. */
create function public.list_amendment_agenda()
returns table (amendment_id uuid, centre_id uuid, centre_name text, host_institution text, status public.amendment_status,
               major_reasons text[], sent_at timestamptz, in_open_review boolean)
language plpgsql stable security definer set search_path = '' as $$
begin
  if not (private.is_board() or private.is_bdt()) then perform private.fail('not_allowed', 'Board and BDT only'); end if;
  return query
  select m.id, c.id, c.name, o.name, m.status, m.major_reasons, v.created_at,
         exists (select 1 from public.board_packets p join public.board_reviews r on r.id = p.review_id
                 where p.amendment_id = m.id and r.status = 'open')
  from public.plan_amendments m
  join public.centres c on c.id = m.centre_id
  join public.organisations o on o.id = m.organisation_id
  join public.plan_versions v on v.id = m.sent_version_id
  where m.status = 'board_review' or exists (select 1 from public.board_packets p where p.amendment_id = m.id);
end
$$;
revoke execute on function public.list_amendment_agenda() from public, anon;
grant execute on function public.list_amendment_agenda() to authenticated;

/** The public history of a centre's approved baselines is the table itself; this names the baseline contents too. */
create function public.get_centre_baseline(centre uuid, version uuid)
returns table (version_id uuid, content jsonb, content_hash text, approved_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select v.id, v.content, v.content_hash, b.approved_at
  from public.centre_baselines b join public.plan_versions v on v.id = b.plan_version_id
  where b.centre_id = centre and b.plan_version_id = version
$$;
revoke execute on function public.get_centre_baseline(uuid, uuid) from public;
grant execute on function public.get_centre_baseline(uuid, uuid) to anon, authenticated;
