-- Organisations, calls for Expressions of Interest, EoIs and their validation (DOMAIN.md workflows 1 and 2).
-- Content is written through tables under RLS; every state change goes through a transition function.

create type public.organisation_kind as enum ('ministry', 'regulator', 'university', 'innovation_agency', 'company', 'other');
create type public.call_status as enum ('draft', 'open', 'closed');
create type public.eoi_status as enum (
  'draft', 'submitted', 'under_validation', 'clarification_requested', 'resubmitted', 'validated', 'declined', 'withdrawn');

-- organisations --------------------------------------------------------------------------------------------------

create table public.organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 2 and 200),
  kind public.organisation_kind not null,
  country_code char(2) not null references public.countries (code),
  website text check (website is null or (website ~ '^https?://' and char_length(website) <= 500)),
  contact_email text check (contact_email is null or char_length(contact_email) <= 254),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organisations is 'Applicant institutions (ministries, regulators, universities, agencies, companies).';
alter table public.organisations enable row level security;
create index organisations_country_idx on public.organisations (country_code);

create table public.organisation_members (
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  added_by uuid references auth.users (id) on delete set null,
  added_at timestamptz not null default now(),
  primary key (organisation_id, user_id)
);
comment on table public.organisation_members is 'Applicant staff who act for an organisation; they see all of its records.';
alter table public.organisation_members enable row level security;
create index organisation_members_user_idx on public.organisation_members (user_id, organisation_id);

create function private.is_member(organisation uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.organisation_members
    where organisation_id = organisation and user_id = (select auth.uid())
  )
$$;
revoke execute on function private.is_member(uuid) from public;
grant execute on function private.is_member(uuid) to authenticated, service_role;

/** The caller's organisations, once per statement: policies compare against it instead of calling per row. */
create function private.my_organisation_ids() returns uuid[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(organisation_id), '{}') from public.organisation_members where user_id = (select auth.uid())
$$;
revoke execute on function private.my_organisation_ids() from public;
grant execute on function private.my_organisation_ids() to authenticated, service_role;

revoke insert, delete, truncate on public.organisations from anon, authenticated;
revoke update on public.organisations from anon, authenticated;
grant update (name, kind, country_code, website, contact_email) on public.organisations to authenticated;
revoke insert, update, delete, truncate on public.organisation_members from anon, authenticated;

create policy "Members read their organisation" on public.organisations
  for select to authenticated using (id = any ((select private.my_organisation_ids())::uuid[]));
create policy "BDT reads every organisation" on public.organisations
  for select to authenticated using ((select private.is_bdt()));
create policy "Members update their organisation" on public.organisations
  for update to authenticated using (id = any ((select private.my_organisation_ids())::uuid[])) with check (id = any ((select private.my_organisation_ids())::uuid[]));

create policy "Members see who else acts for their organisation" on public.organisation_members
  for select to authenticated using (organisation_id = any ((select private.my_organisation_ids())::uuid[]));
create policy "BDT reads every membership" on public.organisation_members
  for select to authenticated using ((select private.is_bdt()));

create trigger organisations_touch_updated_at before update on public.organisations
  for each row execute function private.touch_updated_at();

/** An applicant registers an institution and becomes its first member. */
create function public.create_organisation(
  name text, kind public.organisation_kind, country_code text, website text default null, contact_email text default null
) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  new_id uuid;
begin
  if not private.has_role('applicant') then
    perform private.fail('not_allowed', 'only applicants register institutions');
  end if;
  insert into public.organisations (name, kind, country_code, website, contact_email, created_by)
  values (btrim(name), kind, upper(country_code), nullif(btrim(website), ''), nullif(btrim(contact_email), ''), caller)
  returning id into new_id;
  insert into public.organisation_members (organisation_id, user_id, added_by) values (new_id, caller, caller);
  perform private.audit('organisation', new_id, new_id, 'create_organisation', null, null, null,
                        jsonb_build_object('name', btrim(name)));
  return new_id;
end
$$;

/** A member adds a colleague who already has an applicant account. */
create function public.add_organisation_member(organisation uuid, member uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
begin
  if not private.is_member(organisation) then
    perform private.fail('not_allowed', 'only members add colleagues');
  end if;
  if not exists (select 1 from public.role_grants where user_id = member and role = 'applicant') then
    perform private.fail('invalid_member', 'colleagues need an applicant account');
  end if;
  insert into public.organisation_members (organisation_id, user_id, added_by) values (organisation, member, caller)
  on conflict do nothing;
  perform private.audit('organisation', organisation, organisation, 'add_member', null, null, null,
                        jsonb_build_object('user_id', member));
end
$$;

-- calls ----------------------------------------------------------------------------------------------------------

create table public.calls (
  id uuid primary key default gen_random_uuid(),
  title text not null check (char_length(btrim(title)) between 3 and 200),
  description text not null default '' check (char_length(description) <= 20000),
  opens_at timestamptz not null,
  closes_at timestamptz not null,
  allowed_centre_types text[] not null default '{}',
  status public.call_status not null default 'draft',
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (closes_at > opens_at)
);
comment on table public.calls is 'Calls for Expressions of Interest; an EoI is submitted only while its call is open.';
alter table public.calls enable row level security;
create index calls_status_idx on public.calls (status, closes_at);

create table public.call_extensions (
  call_id uuid not null references public.calls (id) on delete cascade,
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  closes_at timestamptz not null,
  granted_by uuid references auth.users (id) on delete set null,
  granted_at timestamptz not null default now(),
  primary key (call_id, organisation_id)
);
comment on table public.call_extensions is 'A later deadline for one organisation in one call.';
alter table public.call_extensions enable row level security;

revoke insert, update, delete, truncate on public.calls, public.call_extensions from anon, authenticated;
grant insert (title, description, opens_at, closes_at, allowed_centre_types) on public.calls to authenticated;
grant update (title, description, opens_at, closes_at, allowed_centre_types) on public.calls to authenticated;

create policy "Anyone reads published calls" on public.calls
  for select to anon, authenticated using (status <> 'draft');
create policy "BDT reads draft calls" on public.calls
  for select to authenticated using ((select private.is_bdt()));
create policy "Coordinators create calls" on public.calls
  for insert to authenticated with check ((select private.has_role('coordinator')));
create policy "Coordinators edit calls" on public.calls
  for update to authenticated using ((select private.has_role('coordinator')))
  with check ((select private.has_role('coordinator')));

create policy "Organisations read their own extensions" on public.call_extensions
  for select to authenticated using (organisation_id = any ((select private.my_organisation_ids())::uuid[]));
create policy "BDT reads every extension" on public.call_extensions
  for select to authenticated using ((select private.is_bdt()));

create function private.set_call_creator() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.created_by := (select auth.uid());
  return new;
end
$$;
create trigger calls_set_creator before insert on public.calls for each row execute function private.set_call_creator();
create trigger calls_touch_updated_at before update on public.calls for each row execute function private.touch_updated_at();

/** The deadline that applies to one organisation: the call's, or its own extension if later. */
create function private.call_deadline(call uuid, organisation uuid) returns timestamptz
language sql stable security definer set search_path = '' as $$
  select greatest(c.closes_at, e.closes_at)
  from public.calls c
  left join public.call_extensions e on e.call_id = c.id and e.organisation_id = organisation
  where c.id = call
$$;
revoke execute on function private.call_deadline(uuid, uuid) from public;
grant execute on function private.call_deadline(uuid, uuid) to authenticated, service_role;

create function public.open_call(call uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  current public.call_status;
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators open calls'); end if;
  select status into current from public.calls where id = call for update;
  if not found then perform private.fail('not_found', 'no such call'); end if;
  if current = 'open' then perform private.fail('invalid_transition', 'the call is already open'); end if;
  update public.calls set status = 'open' where id = call;
  perform private.audit('call', call, null, 'open_call', current::text, 'open', null);
end
$$;

create function public.close_call(call uuid, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  current public.call_status;
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators close calls'); end if;
  select status into current from public.calls where id = call for update;
  if not found then perform private.fail('not_found', 'no such call'); end if;
  if current <> 'open' then perform private.fail('invalid_transition', 'only an open call can be closed'); end if;
  update public.calls set status = 'closed' where id = call;
  perform private.audit('call', call, null, 'close_call', 'open', 'closed', reason);
end
$$;

/** Extends the deadline for everyone (organisation null) or for one organisation. */
create function public.extend_call_deadline(call uuid, new_closes_at timestamptz, organisation uuid default null,
                                            reason text default null)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  old_closes_at timestamptz;
begin
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators extend deadlines'); end if;
  select closes_at into old_closes_at from public.calls where id = call for update;
  if not found then perform private.fail('not_found', 'no such call'); end if;
  if new_closes_at <= old_closes_at and organisation is null then
    perform private.fail('invalid_deadline', 'an extension must be later than the current deadline');
  end if;
  if organisation is null then
    update public.calls set closes_at = new_closes_at where id = call;
  else
    insert into public.call_extensions (call_id, organisation_id, closes_at, granted_by)
    values (call, organisation, new_closes_at, caller)
    on conflict (call_id, organisation_id) do update set closes_at = excluded.closes_at, granted_by = caller, granted_at = now();
  end if;
  perform private.audit('call', call, organisation, 'extend_deadline', null, null, reason,
                        jsonb_build_object('closes_at', new_closes_at, 'organisation_id', organisation));
  if organisation is not null then
    perform private.notify(array(select user_id from public.organisation_members where organisation_id = organisation),
                           'deadline_extended', 'call', call, jsonb_build_object('closes_at', new_closes_at));
  end if;
end
$$;

-- eois -----------------------------------------------------------------------------------------------------------

create table public.eois (
  id uuid primary key default gen_random_uuid(),
  call_id uuid not null references public.calls (id),
  organisation_id uuid not null references public.organisations (id),
  status public.eoi_status not null default 'draft',
  centre_name text check (char_length(centre_name) <= 200),
  request_kind public.request_kind,
  proposed_centre_type text references public.centre_types (code),
  proposed_scope public.centre_scope,
  capabilities text[] not null default '{}',
  regional_initiatives text[] not null default '{}',
  kigali_priorities text[] not null default '{}',
  motivation text check (char_length(motivation) <= 20000),
  ecosystem text check (char_length(ecosystem) <= 20000),
  resources text check (char_length(resources) <= 20000),
  governance text check (char_length(governance) <= 20000),
  alignment text check (char_length(alignment) <= 20000),
  contact_name text check (char_length(contact_name) <= 200),
  contact_email text check (char_length(contact_email) <= 254),
  assigned_reviewer_id uuid references auth.users (id) on delete set null,
  submitted_at timestamptz,
  decided_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Full-text search over the institution and the narrative, kept up to date by triggers (see below).
  search tsvector
);
comment on table public.eois is 'Expressions of Interest: an organisation proposes to establish or strengthen a centre.';
alter table public.eois enable row level security;
create index eois_organisation_idx on public.eois (organisation_id, updated_at desc);
create index eois_queue_idx on public.eois (status, submitted_at desc);
-- The validation queue's default view: everything awaiting BDT, newest first, paginated.
create index eois_validation_queue_idx on public.eois (submitted_at desc)
  where status in ('submitted', 'under_validation', 'clarification_requested', 'resubmitted');
create index eois_call_status_idx on public.eois (call_id, status);
create index eois_assignee_idx on public.eois (assigned_reviewer_id, status);
create index eois_search_idx on public.eois using gin (search);

create function private.check_eoi_codes() returns trigger
language plpgsql set search_path = '' as $$
begin
  if exists (select 1 from unnest(new.capabilities) code
             where code not in (select sc.code from public.strategic_capabilities sc)) then
    raise exception using errcode = '23514', message = 'unknown strategic capability', hint = 'invalid_reference';
  end if;
  if exists (select 1 from unnest(new.regional_initiatives) code
             where code not in (select ri.code from public.regional_initiatives ri)) then
    raise exception using errcode = '23514', message = 'unknown regional initiative', hint = 'invalid_reference';
  end if;
  if exists (select 1 from unnest(new.kigali_priorities) code
             where code not in (select kp.code from public.kigali_priorities kp)) then
    raise exception using errcode = '23514', message = 'unknown Kigali priority', hint = 'invalid_reference';
  end if;
  return new;
end
$$;
create trigger eois_check_codes before insert or update of capabilities, regional_initiatives, kigali_priorities
  on public.eois for each row execute function private.check_eoi_codes();
create trigger eois_touch_updated_at before update on public.eois for each row execute function private.touch_updated_at();

create function private.eoi_search_document(eoi public.eois) returns tsvector
language sql stable security definer set search_path = '' as $$
  select to_tsvector('simple',
    coalesce((select name from public.organisations where id = eoi.organisation_id), '') || ' ' ||
    coalesce(eoi.centre_name, '') || ' ' || coalesce(eoi.motivation, '') || ' ' || coalesce(eoi.ecosystem, '') || ' ' ||
    coalesce(eoi.alignment, ''))
$$;
revoke execute on function private.eoi_search_document(public.eois) from public;
-- The search trigger runs as the person editing the draft, so they must be able to compute the document.
grant execute on function private.eoi_search_document(public.eois) to authenticated, service_role;

create function private.refresh_eoi_search() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.search := private.eoi_search_document(new);
  return new;
end
$$;
create trigger eois_refresh_search before insert or update of centre_name, motivation, ecosystem, alignment, organisation_id
  on public.eois for each row execute function private.refresh_eoi_search();

create function private.refresh_organisation_eois_search() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.eois e set search = private.eoi_search_document(e) where e.organisation_id = new.id;
  return new;
end
$$;
create trigger organisations_refresh_eoi_search after update of name on public.organisations
  for each row execute function private.refresh_organisation_eois_search();

revoke insert, update, delete, truncate on public.eois from anon, authenticated;
grant update (centre_name, request_kind, proposed_centre_type, proposed_scope, capabilities, regional_initiatives,
              kigali_priorities, motivation, ecosystem, resources, governance, alignment, contact_name, contact_email)
  on public.eois to authenticated;

create policy "Applicants read their organisation's EoIs" on public.eois
  for select to authenticated using (organisation_id = any ((select private.my_organisation_ids())::uuid[]));
create policy "BDT reads every EoI that has been submitted" on public.eois
  for select to authenticated using (status <> 'draft' and (select private.is_bdt()));
create policy "Applicants edit their EoIs while it is theirs to edit" on public.eois
  for update to authenticated
  using (status in ('draft', 'clarification_requested') and organisation_id = any ((select private.my_organisation_ids())::uuid[]))
  with check (status in ('draft', 'clarification_requested') and organisation_id = any ((select private.my_organisation_ids())::uuid[]));

-- validation records ---------------------------------------------------------------------------------------------

create table public.eoi_validations (
  eoi_id uuid primary key references public.eois (id) on delete cascade,
  checklist jsonb not null default '{}',
  recommended_centre_type text references public.centre_types (code),
  recommended_scope public.centre_scope,
  recommended_capabilities text[] not null default '{}',
  reasons text check (char_length(reasons) <= 20000),
  notes_to_applicant text check (char_length(notes_to_applicant) <= 20000),
  validated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now()
);
comment on table public.eoi_validations is
  'The reviewer''s checklist and recommendations; the applicant sees it once the EoI is validated or declined.';
alter table public.eoi_validations enable row level security;

create table public.eoi_internal_notes (
  id bigint generated always as identity primary key,
  eoi_id uuid not null references public.eois (id) on delete cascade,
  author_id uuid references auth.users (id) on delete set null,
  body text not null check (char_length(btrim(body)) between 1 and 20000),
  created_at timestamptz not null default now()
);
comment on table public.eoi_internal_notes is 'BDT-internal notes on an EoI; never shown to the applicant.';
alter table public.eoi_internal_notes enable row level security;
create index eoi_internal_notes_eoi_idx on public.eoi_internal_notes (eoi_id, id);

create table public.eoi_clarifications (
  id bigint generated always as identity primary key,
  eoi_id uuid not null references public.eois (id) on delete cascade,
  question text not null check (char_length(btrim(question)) between 1 and 20000),
  asked_by uuid references auth.users (id) on delete set null,
  asked_at timestamptz not null default now(),
  answer text check (char_length(answer) <= 20000),
  answered_by uuid references auth.users (id) on delete set null,
  answered_at timestamptz
);
comment on table public.eoi_clarifications is 'Questions BDT asks about an EoI and the applicant''s answers.';
alter table public.eoi_clarifications enable row level security;
create index eoi_clarifications_eoi_idx on public.eoi_clarifications (eoi_id, id);

revoke insert, update, delete, truncate on public.eoi_validations, public.eoi_clarifications from anon, authenticated;
revoke update, delete, truncate on public.eoi_internal_notes from anon, authenticated;
grant insert (eoi_id, body) on public.eoi_internal_notes to authenticated;

create policy "BDT reads validation records" on public.eoi_validations
  for select to authenticated using ((select private.is_bdt()));
create policy "Applicants read the outcome of their validated or declined EoIs" on public.eoi_validations
  for select to authenticated using (exists (
    select 1 from public.eois e
    where e.id = eoi_id and e.status in ('validated', 'declined') and e.organisation_id = any ((select private.my_organisation_ids())::uuid[])));

create policy "BDT reads internal notes" on public.eoi_internal_notes
  for select to authenticated using ((select private.is_bdt()));
create policy "BDT writes internal notes" on public.eoi_internal_notes
  for insert to authenticated with check ((select private.is_bdt()));

create policy "BDT reads clarifications" on public.eoi_clarifications
  for select to authenticated using ((select private.is_bdt()));
create policy "Applicants read clarifications on their EoIs" on public.eoi_clarifications
  for select to authenticated using (exists (
    select 1 from public.eois e where e.id = eoi_id and e.organisation_id = any ((select private.my_organisation_ids())::uuid[])));

create function private.set_note_author() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.author_id := (select auth.uid());
  return new;
end
$$;
create trigger eoi_internal_notes_set_author before insert on public.eoi_internal_notes
  for each row execute function private.set_note_author();

-- EoI transitions ------------------------------------------------------------------------------------------------

/** Locks an EoI row for a transition and returns it; fails with not_found when the caller cannot act on it. */
create function private.lock_eoi(eoi uuid) returns public.eois
language plpgsql security definer set search_path = '' as $$
declare
  row public.eois;
begin
  select * into row from public.eois where id = eoi for update;
  if not found then perform private.fail('not_found', 'no such expression of interest'); end if;
  return row;
end
$$;
revoke execute on function private.lock_eoi(uuid) from public;

create function private.eoi_members(eoi public.eois) returns uuid[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(user_id), '{}') from public.organisation_members where organisation_id = eoi.organisation_id
$$;
revoke execute on function private.eoi_members(public.eois) from public;

create function private.eoi_reviewers(eoi public.eois) returns uuid[]
language sql stable security definer set search_path = '' as $$
  select case when eoi.assigned_reviewer_id is not null then array[eoi.assigned_reviewer_id]
              else private.users_with_role('coordinator') end
$$;
revoke execute on function private.eoi_reviewers(public.eois) from public;

create function public.create_eoi(call uuid, organisation uuid) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  new_id uuid;
  call_row public.calls;
begin
  if not private.is_member(organisation) then
    perform private.fail('not_allowed', 'only members of the organisation start its EoIs');
  end if;
  select * into call_row from public.calls where id = call;
  if not found or call_row.status = 'draft' then perform private.fail('not_found', 'no such call'); end if;
  if call_row.status <> 'open' or now() > private.call_deadline(call, organisation) then
    perform private.fail('call_closed', 'the call is closed');
  end if;
  insert into public.eois (call_id, organisation_id, created_by, contact_email)
  values (call, organisation, caller, (select email from auth.users where id = caller))
  returning id into new_id;
  perform private.audit('eoi', new_id, organisation, 'create_eoi', null, 'draft', null);
  return new_id;
end
$$;

create function public.submit_eoi(eoi uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.eois;
  call_row public.calls;
  missing text[];
begin
  perform private.require_user();
  row := private.lock_eoi(eoi);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'only the applicant submits'); end if;
  if row.status <> 'draft' then perform private.fail('invalid_transition', 'only a draft can be submitted'); end if;
  select * into call_row from public.calls where id = row.call_id;
  if call_row.status <> 'open' or now() < call_row.opens_at
     or now() > private.call_deadline(row.call_id, row.organisation_id) then
    perform private.fail('call_closed', 'the call is not open for submissions');
  end if;
  missing := array_remove(array[
    case when coalesce(btrim(row.centre_name), '') = '' then 'centre_name' end,
    case when row.request_kind is null then 'request_kind' end,
    case when row.proposed_centre_type is null then 'proposed_centre_type' end,
    case when row.proposed_scope is null then 'proposed_scope' end,
    case when cardinality(row.capabilities) = 0 then 'capabilities' end,
    case when coalesce(btrim(row.motivation), '') = '' then 'motivation' end,
    case when coalesce(btrim(row.contact_email), '') = '' then 'contact_email' end
  ], null);
  if cardinality(missing) > 0 then
    raise exception using errcode = 'P0001', message = 'incomplete: ' || array_to_string(missing, ', '),
      hint = 'incomplete', detail = array_to_string(missing, ',');
  end if;
  if cardinality(call_row.allowed_centre_types) > 0 and not row.proposed_centre_type = any(call_row.allowed_centre_types) then
    perform private.fail('centre_type_not_allowed', 'this call does not accept the proposed centre type');
  end if;
  update public.eois set status = 'submitted', submitted_at = now() where id = eoi;
  perform private.audit('eoi', eoi, row.organisation_id, 'submit', 'draft', 'submitted', null);
  perform private.notify(private.eoi_reviewers(row), 'eoi_submitted', 'eoi', eoi);
end
$$;

create function public.withdraw_eoi(eoi uuid, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.eois;
begin
  perform private.require_user();
  row := private.lock_eoi(eoi);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'only the applicant withdraws'); end if;
  if row.status in ('validated', 'declined', 'withdrawn') then
    perform private.fail('invalid_transition', 'a decided or withdrawn EoI cannot be withdrawn');
  end if;
  update public.eois set status = 'withdrawn', decided_at = now() where id = eoi;
  perform private.audit('eoi', eoi, row.organisation_id, 'withdraw', row.status::text, 'withdrawn', reason);
  if row.status <> 'draft' then perform private.notify(private.eoi_reviewers(row), 'eoi_withdrawn', 'eoi', eoi); end if;
end
$$;

/** Coordinators assign one or many EoIs to a reviewer (bulk assignment is one call). */
create function public.assign_eois(eoi_ids uuid[], reviewer uuid) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  row public.eois;
  assigned integer := 0;
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators assign'); end if;
  if not exists (select 1 from public.role_grants where user_id = reviewer and role in ('reviewer', 'coordinator')) then
    perform private.fail('invalid_assignee', 'the assignee is not a BDT reviewer');
  end if;
  for row in select * from public.eois where id = any(eoi_ids) order by id for update loop
    if row.status in ('draft', 'validated', 'declined', 'withdrawn') then
      perform private.fail('invalid_transition', 'only EoIs awaiting validation can be assigned');
    end if;
    update public.eois set assigned_reviewer_id = reviewer where id = row.id;
    perform private.audit('eoi', row.id, null, 'assign', row.status::text, row.status::text, null,
                          jsonb_build_object('reviewer_id', reviewer, 'previous_reviewer_id', row.assigned_reviewer_id));
    assigned := assigned + 1;
  end loop;
  if assigned > 0 then perform private.notify(array[reviewer], 'eois_assigned', 'reviewer', reviewer,
                                               jsonb_build_object('count', assigned)); end if;
  return assigned;
end
$$;

create function public.start_validation(eoi uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.eois;
begin
  if not private.is_bdt() then perform private.fail('not_allowed', 'only BDT validates'); end if;
  row := private.lock_eoi(eoi);
  if row.status not in ('submitted', 'resubmitted') then
    perform private.fail('invalid_transition', 'validation starts from a submitted or resubmitted EoI');
  end if;
  update public.eois set status = 'under_validation', assigned_reviewer_id = coalesce(assigned_reviewer_id, caller)
  where id = eoi;
  perform private.audit('eoi', eoi, row.organisation_id, 'start_validation', row.status::text, 'under_validation', null);
  perform private.notify(private.eoi_members(row), 'eoi_under_validation', 'eoi', eoi);
end
$$;

create function public.request_clarification(eoi uuid, question text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.eois;
begin
  if not private.is_bdt() then perform private.fail('not_allowed', 'only BDT asks for clarification'); end if;
  if coalesce(btrim(question), '') = '' then perform private.fail('reason_required', 'say what needs clarifying'); end if;
  row := private.lock_eoi(eoi);
  if row.status <> 'under_validation' then
    perform private.fail('invalid_transition', 'clarification is requested during validation');
  end if;
  insert into public.eoi_clarifications (eoi_id, question, asked_by) values (eoi, btrim(question), caller);
  update public.eois set status = 'clarification_requested' where id = eoi;
  perform private.audit('eoi', eoi, row.organisation_id, 'request_clarification', 'under_validation',
                        'clarification_requested', question);
  perform private.notify(private.eoi_members(row), 'eoi_clarification_requested', 'eoi', eoi);
end
$$;

create function public.resubmit_eoi(eoi uuid, answer text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.eois;
begin
  row := private.lock_eoi(eoi);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'only the applicant answers'); end if;
  if coalesce(btrim(resubmit_eoi.answer), '') = '' then perform private.fail('reason_required', 'write an answer'); end if;
  if row.status <> 'clarification_requested' then
    perform private.fail('invalid_transition', 'only an EoI awaiting clarification can be resubmitted');
  end if;
  update public.eoi_clarifications set answer = btrim(resubmit_eoi.answer), answered_by = caller, answered_at = now()
  where id = (select max(id) from public.eoi_clarifications where eoi_id = eoi and answered_at is null);
  update public.eois set status = 'resubmitted' where id = eoi;
  perform private.audit('eoi', eoi, row.organisation_id, 'resubmit', 'clarification_requested', 'resubmitted',
                        resubmit_eoi.answer);
  perform private.notify(private.eoi_reviewers(row), 'eoi_resubmitted', 'eoi', eoi);
end
$$;

create function public.validate_eoi(
  eoi uuid, recommended_centre_type text, recommended_scope public.centre_scope, recommended_capabilities text[],
  reasons text, checklist jsonb default '{}', notes_to_applicant text default null
) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.eois;
begin
  if not private.is_bdt() then perform private.fail('not_allowed', 'only BDT validates'); end if;
  if coalesce(btrim(reasons), '') = '' then perform private.fail('reason_required', 'give the reasons'); end if;
  if coalesce(cardinality(recommended_capabilities), 0) = 0
     or exists (select 1 from unnest(recommended_capabilities) code
                where code not in (select sc.code from public.strategic_capabilities sc)) then
    perform private.fail('invalid_reference', 'recommend one or more known strategic capabilities');
  end if;
  row := private.lock_eoi(eoi);
  if row.status <> 'under_validation' then perform private.fail('invalid_transition', 'validate during validation'); end if;
  insert into public.eoi_validations (eoi_id, checklist, recommended_centre_type, recommended_scope,
                                      recommended_capabilities, reasons, notes_to_applicant, validated_by, updated_at)
  values (eoi, coalesce(checklist, '{}'), recommended_centre_type, recommended_scope, recommended_capabilities,
          btrim(reasons), notes_to_applicant, caller, now());
  update public.eois set status = 'validated', decided_at = now() where id = eoi;
  perform private.audit('eoi', eoi, row.organisation_id, 'validate', 'under_validation', 'validated', reasons,
                        jsonb_build_object('recommended_centre_type', recommended_centre_type,
                                           'recommended_scope', recommended_scope,
                                           'recommended_capabilities', recommended_capabilities));
  perform private.notify(private.eoi_members(row), 'eoi_validated', 'eoi', eoi);
end
$$;

create function public.decline_eoi(eoi uuid, reasons text, checklist jsonb default '{}', notes_to_applicant text default null)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.eois;
begin
  if not private.is_bdt() then perform private.fail('not_allowed', 'only BDT declines'); end if;
  if coalesce(btrim(reasons), '') = '' then perform private.fail('reason_required', 'give the reasons'); end if;
  row := private.lock_eoi(eoi);
  if row.status <> 'under_validation' then perform private.fail('invalid_transition', 'decline during validation'); end if;
  insert into public.eoi_validations (eoi_id, checklist, reasons, notes_to_applicant, validated_by, updated_at)
  values (eoi, coalesce(checklist, '{}'), btrim(reasons), notes_to_applicant, caller, now());
  update public.eois set status = 'declined', decided_at = now() where id = eoi;
  perform private.audit('eoi', eoi, row.organisation_id, 'decline', 'under_validation', 'declined', reasons);
  perform private.notify(private.eoi_members(row), 'eoi_declined', 'eoi', eoi);
end
$$;

-- Transition functions run as their owner; callers only ever execute them, never the tables they change.
revoke execute on function public.create_organisation(text, public.organisation_kind, text, text, text),
  public.add_organisation_member(uuid, uuid), public.open_call(uuid), public.close_call(uuid, text),
  public.extend_call_deadline(uuid, timestamptz, uuid, text), public.create_eoi(uuid, uuid), public.submit_eoi(uuid),
  public.withdraw_eoi(uuid, text), public.assign_eois(uuid[], uuid), public.start_validation(uuid),
  public.request_clarification(uuid, text), public.resubmit_eoi(uuid, text),
  public.validate_eoi(uuid, text, public.centre_scope, text[], text, jsonb, text),
  public.decline_eoi(uuid, text, jsonb, text)
  from public, anon;

-- audit visibility -----------------------------------------------------------------------------------------------

create policy "BDT reads the audit trail" on public.audit_log
  for select to authenticated using ((select private.is_bdt()));
create policy "Organisations read the timeline of their own records" on public.audit_log
  for select to authenticated using (organisation_id is not null and organisation_id = any ((select private.my_organisation_ids())::uuid[]));
