-- Centre applications, action plans and their versions, Digital Innovation Board reviews (conflicts, votes,
-- decisions), designated centres, comments and attachments (DOMAIN.md workflows 3 to 6).

create type public.application_status as enum (
  'draft', 'submitted', 'bdt_review', 'board_review', 'approved', 'approved_with_conditions', 'changes_requested', 'rejected');
create type public.vote_choice as enum ('approve', 'approve_with_conditions', 'request_changes', 'reject');
create type public.board_review_status as enum ('open', 'closed');
create type public.plan_access_level as enum ('read', 'comment', 'edit');

-- centre_applications --------------------------------------------------------------------------------------------

create table public.centre_applications (
  id uuid primary key default gen_random_uuid(),
  eoi_id uuid not null unique references public.eois (id),
  organisation_id uuid not null references public.organisations (id),
  status public.application_status not null default 'draft',
  centre_name text not null check (char_length(centre_name) <= 200),
  centre_type text references public.centre_types (code),
  scope public.centre_scope,
  capabilities text[] not null default '{}',
  governance text check (char_length(governance) <= 20000),
  resources text check (char_length(resources) <= 20000),
  partners text check (char_length(partners) <= 20000),
  host_details text check (char_length(host_details) <= 20000),
  bdt_recommendation text check (char_length(bdt_recommendation) <= 20000),
  bdt_recommended_outcome public.vote_choice,
  sent_plan_version_id uuid,
  submitted_at timestamptz,
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.centre_applications is
  'Full centre applications, pre-filled from a validated EoI and BDT''s recommendations.';
alter table public.centre_applications enable row level security;
create index centre_applications_organisation_idx on public.centre_applications (organisation_id);
create index centre_applications_status_idx on public.centre_applications (status, updated_at desc);
create trigger centre_applications_touch_updated_at before update on public.centre_applications
  for each row execute function private.touch_updated_at();

revoke insert, update, delete, truncate on public.centre_applications from anon, authenticated;
grant update (centre_name, governance, resources, partners, host_details) on public.centre_applications to authenticated;

create table public.application_bdt_reviews (
  application_id uuid primary key references public.centre_applications (id) on delete cascade,
  checklist jsonb not null default '{}',
  internal_notes text check (char_length(internal_notes) <= 20000),
  reviewer_id uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now()
);
comment on table public.application_bdt_reviews is 'BDT''s checklist and internal notes on an application; BDT only.';
alter table public.application_bdt_reviews enable row level security;
revoke insert, update, delete, truncate on public.application_bdt_reviews from anon, authenticated;
create policy "BDT reads its application reviews" on public.application_bdt_reviews
  for select to authenticated using ((select private.is_bdt()));

-- action plans and versions --------------------------------------------------------------------------------------

create table public.action_plans (
  id uuid primary key default gen_random_uuid(),
  application_id uuid not null unique references public.centre_applications (id) on delete cascade,
  -- The current document as TipTap JSON; the collaboration server keeps it up to date from the Yjs document.
  content jsonb not null default '{"type": "doc", "content": []}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.action_plans is 'One co-edited action plan per application.';
alter table public.action_plans enable row level security;
create trigger action_plans_touch_updated_at before update on public.action_plans
  for each row execute function private.touch_updated_at();
revoke insert, update, delete, truncate on public.action_plans from anon, authenticated;

create table public.plan_versions (
  id uuid primary key default gen_random_uuid(),
  plan_id uuid not null references public.action_plans (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200),
  kind text not null default 'named' check (kind in ('named', 'sent_to_board', 'approved')),
  content jsonb not null,
  content_hash text not null,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.plan_versions is 'Named snapshots of a plan; never changed. The approved one is the frozen, hashed plan.';
alter table public.plan_versions enable row level security;
create index plan_versions_plan_idx on public.plan_versions (plan_id, created_at desc);
revoke insert, update, delete, truncate on public.plan_versions from anon, authenticated, service_role;

create trigger plan_versions_immutable before update or delete on public.plan_versions
  for each row execute function private.forbid_change('plan versions are never rewritten', 'version_immutable');

alter table public.centre_applications
  add constraint centre_applications_sent_plan_version_fk foreign key (sent_plan_version_id) references public.plan_versions (id);

-- board ----------------------------------------------------------------------------------------------------------

create table public.board_reviews (
  id uuid primary key default gen_random_uuid(),
  title text not null check (char_length(btrim(title)) between 3 and 200),
  closes_at timestamptz not null,
  quorum integer check (quorum is null or quorum > 0),
  allow_plan_editing boolean not null default false,
  status public.board_review_status not null default 'open',
  opened_by uuid references auth.users (id) on delete set null,
  opened_at timestamptz not null default now(),
  closed_at timestamptz
);
comment on table public.board_reviews is 'A Digital Innovation Board review of one or more packets, opened and closed by the chair.';
alter table public.board_reviews enable row level security;

create table public.board_packets (
  id uuid primary key default gen_random_uuid(),
  review_id uuid not null references public.board_reviews (id) on delete cascade,
  application_id uuid not null references public.centre_applications (id),
  plan_version_id uuid not null references public.plan_versions (id),
  bdt_recommendation text,
  created_at timestamptz not null default now(),
  unique (review_id, application_id)
);
comment on table public.board_packets is 'What the Board decides on: an application, the plan version sent, and BDT''s recommendation.';
alter table public.board_packets enable row level security;
create index board_packets_application_idx on public.board_packets (application_id);

create table public.conflict_declarations (
  packet_id uuid not null references public.board_packets (id) on delete cascade,
  member_id uuid not null references auth.users (id) on delete cascade,
  has_conflict boolean not null,
  reason text check (char_length(reason) <= 5000),
  declared_at timestamptz not null default now(),
  primary key (packet_id, member_id),
  check (not has_conflict or coalesce(btrim(reason), '') <> '')
);
comment on table public.conflict_declarations is 'Each member declares, per packet, a conflict of interest (with a reason) or none, before seeing it.';
alter table public.conflict_declarations enable row level security;
create index conflict_declarations_member_idx on public.conflict_declarations (member_id, packet_id);

create table public.votes (
  packet_id uuid not null references public.board_packets (id) on delete cascade,
  member_id uuid not null references auth.users (id) on delete cascade,
  choice public.vote_choice not null,
  reason text not null check (char_length(btrim(reason)) between 1 and 5000),
  cast_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (packet_id, member_id)
);
comment on table public.votes is 'One vote per member and packet, changeable until the review closes.';
alter table public.votes enable row level security;

create table public.board_decisions (
  packet_id uuid primary key references public.board_packets (id),
  outcome public.application_status not null
    check (outcome in ('approved', 'approved_with_conditions', 'changes_requested', 'rejected')),
  conditions text check (char_length(conditions) <= 20000),
  votes_counted integer not null,
  quorum_required integer not null,
  recorded_by uuid references auth.users (id) on delete set null,
  recorded_at timestamptz not null default now(),
  check (outcome <> 'approved_with_conditions' or coalesce(btrim(conditions), '') <> '')
);
comment on table public.board_decisions is 'The Board''s decision on a packet, recorded by the chair once quorum is met.';
alter table public.board_decisions enable row level security;

create table public.centres (
  id uuid primary key default gen_random_uuid(),
  application_id uuid not null unique references public.centre_applications (id),
  organisation_id uuid not null references public.organisations (id),
  name text not null,
  country_code char(2) not null references public.countries (code),
  region_code text not null references public.itu_regions (code),
  centre_type text not null references public.centre_types (code),
  scope public.centre_scope not null,
  capabilities text[] not null,
  approved_plan_version_id uuid not null references public.plan_versions (id),
  plan_hash text not null,
  designated_at timestamptz not null default now()
);
comment on table public.centres is 'Designated Acceleration Centres: the public network directory.';
alter table public.centres enable row level security;
create index centres_region_idx on public.centres (region_code, country_code);

revoke insert, update, delete, truncate on public.board_reviews, public.board_packets, public.conflict_declarations,
  public.votes, public.board_decisions, public.centres from anon, authenticated;

-- permission helpers ---------------------------------------------------------------------------------------------

/** A board member who declared "no conflict" on this packet of an open or closed review may see its content. */
create function private.can_see_packet(packet uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select private.is_board() and exists (
    select 1 from public.conflict_declarations d
    where d.packet_id = packet and d.member_id = (select auth.uid()) and not d.has_conflict)
$$;

/** Votes stay hidden until the member has voted (no anchoring), or the review has closed. */
create function private.can_see_votes(packet uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select private.can_see_packet(packet) and (
    exists (select 1 from public.votes v where v.packet_id = packet and v.member_id = (select auth.uid()))
    or exists (select 1 from public.board_packets p join public.board_reviews r on r.id = p.review_id
               where p.id = packet and r.status = 'closed'))
$$;

create function private.can_see_application(application uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.centre_applications a
    where a.id = application and (private.is_member(a.organisation_id) or private.is_bdt()))
  or exists (select 1 from public.board_packets p where p.application_id = application and private.can_see_packet(p.id))
$$;

/**
 * The one answer to "what may the caller do with this plan": edit, comment, read or nothing. RLS, the transition
 * functions and the collaboration server all ask it, so they can never disagree.
 */
create function private.plan_access(plan uuid) returns public.plan_access_level
language plpgsql stable security definer set search_path = '' as $$
declare
  app public.centre_applications;
  review public.board_reviews;
  packet uuid;
begin
  select a.* into app from public.action_plans p join public.centre_applications a on a.id = p.application_id
  where p.id = plan;
  if not found or (select auth.uid()) is null then return null; end if;
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
  where p.application_id = app.id and private.can_see_packet(p.id)
  order by r.opened_at desc limit 1;
  if packet is null then return null; end if;
  select r.* into review from public.board_reviews r join public.board_packets p on p.review_id = r.id where p.id = packet;
  if review.status = 'open' then
    return case when review.allow_plan_editing then 'edit' else 'comment' end;
  end if;
  return 'read';
end
$$;

revoke execute on function private.can_see_packet(uuid), private.can_see_votes(uuid), private.can_see_application(uuid),
  private.plan_access(uuid) from public;
grant execute on function private.can_see_packet(uuid), private.can_see_votes(uuid), private.can_see_application(uuid),
  private.plan_access(uuid) to authenticated, service_role;

/** For the app and the collaboration server: the caller's access to a plan (null: none). */
create function public.my_plan_access(plan uuid) returns public.plan_access_level
language sql stable security invoker set search_path = '' as $$
  select private.plan_access(plan)
$$;
revoke execute on function public.my_plan_access(uuid) from public, anon;
grant execute on function public.my_plan_access(uuid) to authenticated;

-- policies -------------------------------------------------------------------------------------------------------

create policy "Applicants read their organisation's applications" on public.centre_applications
  for select to authenticated using (organisation_id = any ((select private.my_organisation_ids())::uuid[]));
create policy "BDT reads every application" on public.centre_applications
  for select to authenticated using ((select private.is_bdt()));
create policy "Board members read applications of packets they may see" on public.centre_applications
  for select to authenticated using ((select private.is_board()) and private.can_see_application(id));
create policy "Applicants edit their application while it is theirs to edit" on public.centre_applications
  for update to authenticated
  using (status in ('draft', 'changes_requested') and organisation_id = any ((select private.my_organisation_ids())::uuid[]))
  with check (status in ('draft', 'changes_requested') and organisation_id = any ((select private.my_organisation_ids())::uuid[]));

create policy "People with access to a plan read it" on public.action_plans
  for select to authenticated using (private.plan_access(id) is not null);
create policy "People with access to a plan read its versions" on public.plan_versions
  for select to authenticated using (private.plan_access(plan_id) is not null);

create policy "Board members and BDT read board reviews" on public.board_reviews
  for select to authenticated using ((select private.is_board()) or (select private.is_bdt()));
create policy "Board members and BDT see which packets a review holds" on public.board_packets
  for select to authenticated using ((select private.is_board()) or (select private.is_bdt()));
create policy "Applicants see that their application is in a packet" on public.board_packets
  for select to authenticated using (exists (
    select 1 from public.centre_applications a where a.id = application_id and a.organisation_id = any ((select private.my_organisation_ids())::uuid[])));

create policy "Members read their own declarations" on public.conflict_declarations
  for select to authenticated using (member_id = (select auth.uid()));
create policy "The chair sees who is conflicted" on public.conflict_declarations
  for select to authenticated using ((select private.has_role('board_chair')));

create policy "Members read their own votes" on public.votes
  for select to authenticated using (member_id = (select auth.uid()));
create policy "Members read others' votes once they have voted, never when conflicted" on public.votes
  for select to authenticated using (private.can_see_votes(packet_id));

create policy "Anyone concerned reads a decision" on public.board_decisions
  for select to authenticated using (
    (select private.is_bdt()) or private.can_see_packet(packet_id) or exists (
      select 1 from public.board_packets p join public.centre_applications a on a.id = p.application_id
      where p.id = packet_id and a.organisation_id = any ((select private.my_organisation_ids())::uuid[])));

create policy "Anyone reads the directory of designated centres" on public.centres
  for select to anon, authenticated using (true);

-- comments -------------------------------------------------------------------------------------------------------

create table public.comments (
  id bigint generated always as identity primary key,
  eoi_id uuid references public.eois (id) on delete cascade,
  application_id uuid references public.centre_applications (id) on delete cascade,
  packet_id uuid references public.board_packets (id) on delete cascade,
  parent_id bigint references public.comments (id) on delete cascade,
  author_id uuid references auth.users (id) on delete set null default auth.uid(),
  body text not null check (char_length(btrim(body)) between 1 and 10000),
  created_at timestamptz not null default now(),
  check (num_nonnulls(eoi_id, application_id, packet_id) = 1)
);
comment on table public.comments is
  'Discussion threads on an EoI, an application, or (Board only, never the conflicted) a packet.';
alter table public.comments enable row level security;
create index comments_eoi_idx on public.comments (eoi_id, id) where eoi_id is not null;
create index comments_application_idx on public.comments (application_id, id) where application_id is not null;
create index comments_packet_idx on public.comments (packet_id, id) where packet_id is not null;
revoke update, delete, truncate on public.comments from anon, authenticated;
revoke insert on public.comments from anon;

create function private.can_discuss(eoi uuid, application uuid, packet uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select case
    when eoi is not null then exists (
      select 1 from public.eois e where e.id = eoi and (private.is_member(e.organisation_id) or (private.is_bdt() and e.status <> 'draft')))
    when application is not null then private.can_see_application(application)
    when packet is not null then private.can_see_packet(packet)
    else false
  end
$$;
revoke execute on function private.can_discuss(uuid, uuid, uuid) from public;
grant execute on function private.can_discuss(uuid, uuid, uuid) to authenticated, service_role;

create policy "People who may see a record read its discussion" on public.comments
  for select to authenticated using (private.can_discuss(eoi_id, application_id, packet_id));
create policy "People who may see a record join its discussion" on public.comments
  for insert to authenticated
  with check (author_id = (select auth.uid()) and private.can_discuss(eoi_id, application_id, packet_id));

-- attachments ----------------------------------------------------------------------------------------------------

create table public.attachments (
  id uuid primary key default gen_random_uuid(),
  eoi_id uuid references public.eois (id) on delete cascade,
  application_id uuid references public.centre_applications (id) on delete cascade,
  file_name text not null check (char_length(btrim(file_name)) between 1 and 255),
  content_type text not null check (content_type in ('application/pdf', 'image/png', 'image/jpeg')),
  size_bytes integer not null check (size_bytes between 1 and 10485760),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  check (num_nonnulls(eoi_id, application_id) = 1)
);
comment on table public.attachments is 'Attachment metadata; the bytes are in attachment_contents under the same rules.';
alter table public.attachments enable row level security;
create index attachments_eoi_idx on public.attachments (eoi_id) where eoi_id is not null;
create index attachments_application_idx on public.attachments (application_id) where application_id is not null;

create table public.attachment_contents (
  attachment_id uuid primary key references public.attachments (id) on delete cascade,
  content bytea not null
);
comment on table public.attachment_contents is 'Attachment bytes, in Postgres so that RLS decides who may download them.';
alter table public.attachment_contents enable row level security;
revoke update, delete, truncate on public.attachments, public.attachment_contents from anon, authenticated;
revoke insert on public.attachments, public.attachment_contents from anon;

create function private.can_read_attachment(attachment uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.attachments a where a.id = attachment
                 and private.can_discuss(a.eoi_id, a.application_id, null))
$$;

/** Only the applicant attaches files, and only while the record is theirs to edit. */
create function private.can_attach(eoi uuid, application uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select case
    when eoi is not null then exists (select 1 from public.eois e where e.id = eoi and private.is_member(e.organisation_id)
                                      and e.status in ('draft', 'clarification_requested'))
    when application is not null then exists (select 1 from public.centre_applications a where a.id = application
                                              and private.is_member(a.organisation_id)
                                              and a.status in ('draft', 'changes_requested'))
    else false
  end
$$;
revoke execute on function private.can_read_attachment(uuid), private.can_attach(uuid, uuid) from public;
grant execute on function private.can_read_attachment(uuid), private.can_attach(uuid, uuid) to authenticated, service_role;

create policy "People who may see a record read its attachments" on public.attachments
  for select to authenticated using (private.can_discuss(eoi_id, application_id, null));
create policy "Applicants attach files to records they may edit" on public.attachments
  for insert to authenticated with check (uploaded_by = (select auth.uid()) and private.can_attach(eoi_id, application_id));
create policy "People who may see an attachment download it" on public.attachment_contents
  for select to authenticated using (private.can_read_attachment(attachment_id));
create policy "Uploaders store the bytes of their new attachment" on public.attachment_contents
  for insert to authenticated with check (exists (
    select 1 from public.attachments a where a.id = attachment_id and a.uploaded_by = (select auth.uid())
    and private.can_attach(a.eoi_id, a.application_id)));

-- application transitions ----------------------------------------------------------------------------------------

create function private.lock_application(application uuid) returns public.centre_applications
language plpgsql security definer set search_path = '' as $$
declare
  row public.centre_applications;
begin
  select * into row from public.centre_applications where id = application for update;
  if not found then perform private.fail('not_found', 'no such application'); end if;
  return row;
end
$$;

create function private.application_members(app public.centre_applications) returns uuid[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(user_id), '{}') from public.organisation_members where organisation_id = app.organisation_id
$$;

create function private.snapshot_plan(plan uuid, version_name text, version_kind text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  doc jsonb;
  new_id uuid;
begin
  select content into doc from public.action_plans where id = plan;
  insert into public.plan_versions (plan_id, name, kind, content, content_hash, created_by)
  values (plan, version_name, version_kind, doc, encode(extensions.digest(doc::text, 'sha256'), 'hex'), (select auth.uid()))
  returning id into new_id;
  return new_id;
end
$$;
revoke execute on function private.lock_application(uuid), private.application_members(public.centre_applications),
  private.snapshot_plan(uuid, text, text) from public;

/** BDT invites the full application of a validated EoI, pre-filled from the EoI and BDT's recommendations. */
create function public.invite_application(eoi uuid) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  row public.eois;
  rec public.eoi_validations;
  new_id uuid;
begin
  perform private.require_user();
  if not private.is_bdt() then perform private.fail('not_allowed', 'only BDT invites applications'); end if;
  row := private.lock_eoi(eoi);
  if row.status <> 'validated' then perform private.fail('invalid_transition', 'only a validated EoI is invited'); end if;
  if exists (select 1 from public.centre_applications where eoi_id = eoi) then
    perform private.fail('invalid_transition', 'this EoI already has an application');
  end if;
  select * into rec from public.eoi_validations where eoi_id = eoi;
  insert into public.centre_applications (eoi_id, organisation_id, centre_name, centre_type, scope, capabilities,
                                          governance, resources)
  values (eoi, row.organisation_id, coalesce(row.centre_name, ''),
          coalesce(rec.recommended_centre_type, row.proposed_centre_type), coalesce(rec.recommended_scope, row.proposed_scope),
          case when cardinality(rec.recommended_capabilities) > 0 then rec.recommended_capabilities else row.capabilities end,
          row.governance, row.resources)
  returning id into new_id;
  insert into public.action_plans (application_id) values (new_id);
  perform private.audit('application', new_id, row.organisation_id, 'invite_application', null, 'draft', null,
                        jsonb_build_object('eoi_id', eoi));
  perform private.notify(private.eoi_members(row), 'application_invited', 'application', new_id);
  return new_id;
end
$$;

create function public.submit_application(application uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.centre_applications;
  missing text[];
begin
  perform private.require_user();
  row := private.lock_application(application);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'only the applicant submits'); end if;
  if row.status not in ('draft', 'changes_requested') then
    perform private.fail('invalid_transition', 'only a draft or an application with changes requested is submitted');
  end if;
  missing := array_remove(array[
    case when coalesce(btrim(row.centre_name), '') = '' then 'centre_name' end,
    case when coalesce(btrim(row.governance), '') = '' then 'governance' end,
    case when coalesce(btrim(row.resources), '') = '' then 'resources' end,
    case when coalesce(btrim(row.host_details), '') = '' then 'host_details' end
  ], null);
  if cardinality(missing) > 0 then
    raise exception using errcode = 'P0001', message = 'incomplete: ' || array_to_string(missing, ', '),
      hint = 'incomplete', detail = array_to_string(missing, ',');
  end if;
  update public.centre_applications set status = 'submitted', submitted_at = now() where id = application;
  perform private.audit('application', application, row.organisation_id, 'submit_application', row.status::text, 'submitted', null);
  perform private.notify(private.users_with_role('coordinator'), 'application_submitted', 'application', application);
end
$$;

create function public.start_bdt_review(application uuid, checklist jsonb default '{}', internal_notes text default null)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.centre_applications;
begin
  if not private.is_bdt() then perform private.fail('not_allowed', 'only BDT reviews applications'); end if;
  row := private.lock_application(application);
  if row.status <> 'submitted' then perform private.fail('invalid_transition', 'BDT review starts from a submitted application'); end if;
  insert into public.application_bdt_reviews (application_id, checklist, internal_notes, reviewer_id)
  values (application, coalesce(checklist, '{}'), internal_notes, caller)
  on conflict (application_id) do update set checklist = excluded.checklist, internal_notes = excluded.internal_notes,
    reviewer_id = caller, updated_at = now();
  update public.centre_applications set status = 'bdt_review' where id = application;
  perform private.audit('application', application, row.organisation_id, 'start_bdt_review', 'submitted', 'bdt_review', null);
  perform private.notify(private.application_members(row), 'application_in_bdt_review', 'application', application);
end
$$;

/** BDT sends the application to the Board: the exact plan version sent is recorded with its hash. */
create function public.send_to_board(application uuid, recommendation text, recommended_outcome public.vote_choice)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  row public.centre_applications;
  plan uuid;
  version uuid;
begin
  perform private.require_user();
  if not private.is_bdt() then perform private.fail('not_allowed', 'only BDT sends applications to the Board'); end if;
  if coalesce(btrim(recommendation), '') = '' then perform private.fail('reason_required', 'write the recommendation'); end if;
  row := private.lock_application(application);
  if row.status <> 'bdt_review' then perform private.fail('invalid_transition', 'only an application in BDT review is sent'); end if;
  select id into plan from public.action_plans where application_id = application;
  version := private.snapshot_plan(plan, 'Sent to the Board', 'sent_to_board');
  update public.centre_applications
  set status = 'board_review', sent_plan_version_id = version, bdt_recommendation = btrim(recommendation),
      bdt_recommended_outcome = recommended_outcome
  where id = application;
  perform private.audit('application', application, row.organisation_id, 'send_to_board', 'bdt_review', 'board_review',
                        recommendation, jsonb_build_object('plan_version_id', version, 'recommended_outcome', recommended_outcome));
  perform private.notify(private.application_members(row) || private.users_with_role('board_chair'),
                         'application_sent_to_board', 'application', application);
  return version;
end
$$;

create function public.save_plan_version(plan uuid, name text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  version uuid;
  app public.centre_applications;
begin
  perform private.require_user();
  if private.plan_access(plan) is distinct from 'edit' then
    perform private.fail('not_allowed', 'only editors save versions');
  end if;
  if coalesce(btrim(name), '') = '' then perform private.fail('reason_required', 'name the version'); end if;
  version := private.snapshot_plan(plan, btrim(name), 'named');
  select a.* into app from public.action_plans p join public.centre_applications a on a.id = p.application_id where p.id = plan;
  perform private.audit('plan', plan, app.organisation_id, 'save_version', null, null, name,
                        jsonb_build_object('version_id', version));
  return version;
end
$$;

-- board transitions ----------------------------------------------------------------------------------------------

create function public.open_board_review(title text, closes_at timestamptz, applications uuid[],
                                         quorum integer default null, allow_plan_editing boolean default false)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  review uuid;
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
    insert into public.board_packets (review_id, application_id, plan_version_id, bdt_recommendation)
    values (review, app.id, app.sent_plan_version_id, app.bdt_recommendation);
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

create function private.lock_open_packet(packet uuid) returns public.board_reviews
language plpgsql security definer set search_path = '' as $$
declare
  review public.board_reviews;
begin
  select r.* into review from public.board_packets p join public.board_reviews r on r.id = p.review_id
  where p.id = packet for update of p;
  if not found then perform private.fail('not_found', 'no such packet'); end if;
  if review.status <> 'open' or now() > review.closes_at then
    perform private.fail('review_closed', 'the review is closed');
  end if;
  return review;
end
$$;
revoke execute on function private.lock_open_packet(uuid) from public;

create function public.declare_conflict(packet uuid, has_conflict boolean, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  review public.board_reviews;
begin
  if not private.has_role('board_member') then perform private.fail('not_allowed', 'only board members declare'); end if;
  review := private.lock_open_packet(packet);
  if has_conflict and coalesce(btrim(reason), '') = '' then
    perform private.fail('reason_required', 'say what the conflict of interest is');
  end if;
  if exists (select 1 from public.conflict_declarations where packet_id = packet and member_id = caller) then
    perform private.fail('already_declared', 'a declaration is made once');
  end if;
  insert into public.conflict_declarations (packet_id, member_id, has_conflict, reason)
  values (packet, caller, has_conflict, nullif(btrim(reason), ''));
  -- The reason is for the chair only: it goes into the audit details, which applicants never read.
  perform private.audit('board_packet', packet, null, 'declare_conflict', null,
                        case when has_conflict then 'conflicted' else 'no_conflict' end, null,
                        jsonb_build_object('reason', reason));
end
$$;

create function public.cast_vote(packet uuid, choice public.vote_choice, reason text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  review public.board_reviews;
  previous public.vote_choice;
begin
  if not private.has_role('board_member') then perform private.fail('not_allowed', 'only board members vote'); end if;
  review := private.lock_open_packet(packet);
  if not exists (select 1 from public.conflict_declarations
                 where packet_id = packet and member_id = caller and not has_conflict) then
    perform private.fail('conflict_undeclared_or_conflicted', 'declare no conflict of interest before voting');
  end if;
  if coalesce(btrim(reason), '') = '' then perform private.fail('reason_required', 'give the reason for the vote'); end if;
  select v.choice into previous from public.votes v where v.packet_id = packet and v.member_id = caller;
  insert into public.votes (packet_id, member_id, choice, reason) values (packet, caller, choice, btrim(reason))
  on conflict (packet_id, member_id) do update set choice = excluded.choice, reason = excluded.reason, updated_at = now();
  perform private.audit('board_packet', packet, null, case when previous is null then 'cast_vote' else 'change_vote' end,
                        previous::text, choice::text, reason);
end
$$;

create function public.close_board_review(review uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  current public.board_review_status;
begin
  perform private.require_user();
  if not private.has_role('board_chair') then perform private.fail('not_allowed', 'only the chair closes a review'); end if;
  select status into current from public.board_reviews where id = review for update;
  if not found then perform private.fail('not_found', 'no such review'); end if;
  if current <> 'open' then perform private.fail('invalid_transition', 'the review is already closed'); end if;
  update public.board_reviews set status = 'closed', closed_at = now() where id = review;
  perform private.audit('board_review', review, null, 'close_review', 'open', 'closed', null);
end
$$;

/** Votes cast by members without a conflict, and the quorum that applies (default: a majority of them). */
create function private.packet_quorum(packet uuid, out votes_counted integer, out quorum_required integer)
language sql stable security definer set search_path = '' as $$
  select
    (select count(*)::integer from public.votes v where v.packet_id = packet and not exists (
       select 1 from public.conflict_declarations d where d.packet_id = packet and d.member_id = v.member_id and d.has_conflict)),
    coalesce(r.quorum, ((select count(distinct g.user_id) from public.role_grants g where g.role = 'board_member'
                         and not exists (select 1 from public.conflict_declarations d
                                         where d.packet_id = packet and d.member_id = g.user_id and d.has_conflict)) / 2 + 1)::integer)
  from public.board_packets p join public.board_reviews r on r.id = p.review_id where p.id = packet
$$;
revoke execute on function private.packet_quorum(uuid) from public;

/** Quorum progress without revealing any vote: what the chair and members see before voting. */
create function public.packet_quorum_status(packet uuid) returns table (votes_counted integer, quorum_required integer)
language plpgsql stable security definer set search_path = '' as $$
begin
  if not (private.is_board() or private.is_bdt()) then perform private.fail('not_allowed', 'board and BDT only'); end if;
  return query select q.votes_counted, q.quorum_required from private.packet_quorum(packet) q;
end
$$;

/** The chair records the decision once quorum is met; approval designates the centre and freezes the plan. */
create function public.record_decision(packet uuid, outcome public.vote_choice, conditions text default null) returns uuid
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
  app := private.lock_application(packet_row.application_id);
  if app.status <> 'board_review' then perform private.fail('invalid_transition', 'the application is not in board review'); end if;
  insert into public.board_decisions (packet_id, outcome, conditions, votes_counted, quorum_required, recorded_by)
  values (packet, new_status, nullif(btrim(conditions), ''), tally.votes_counted, tally.quorum_required, caller);
  update public.centre_applications set status = new_status, decided_at = now() where id = app.id;
  perform private.audit('application', app.id, app.organisation_id, 'record_decision', 'board_review', new_status::text,
                        conditions, jsonb_build_object('packet_id', packet, 'votes_counted', tally.votes_counted,
                                                       'quorum_required', tally.quorum_required));
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

revoke execute on function public.invite_application(uuid), public.submit_application(uuid),
  public.start_bdt_review(uuid, jsonb, text), public.send_to_board(uuid, text, public.vote_choice),
  public.save_plan_version(uuid, text), public.open_board_review(text, timestamptz, uuid[], integer, boolean),
  public.declare_conflict(uuid, boolean, text), public.cast_vote(uuid, public.vote_choice, text),
  public.close_board_review(uuid), public.packet_quorum_status(uuid), public.record_decision(uuid, public.vote_choice, text)
  from public, anon;
