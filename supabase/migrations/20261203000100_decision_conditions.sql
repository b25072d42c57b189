-- Issue 15, "Conditions tracked to closure". "Approve with conditions" records each condition as its own record
-- (text, due date, optionally the exact passage of the approved plan version it concerns). The centre's people answer
-- a condition with a response and attachments (the same checks from the bytes as every upload); BDT marks it met or
-- not met with reasons; the chair closes it, or BDT where the decision delegates closing to BDT. Closed is final.
-- Due and overdue conditions notify the centre and BDT once each, whichever server runs the reminder job.

-- the approved plan's text, for passages ----------------------------------------------------------------------------
-- The approved version is frozen (ProseMirror JSON that never changes), so a passage is anchored by its offsets in
-- the version's text (the text nodes in document order, counted in characters) and checked against its quote: the
-- anchor can never drift, and the database refuses a quote that is not exactly there.

/** The text of a plan document: every text node's text, in document order, nothing between blocks. */
create function private.plan_text(node jsonb) returns text
language plpgsql immutable set search_path = '' as $$
declare
  out text := '';
  child jsonb;
begin
  if jsonb_typeof(node) is distinct from 'object' then return ''; end if;
  if node ->> 'type' = 'text' then return coalesce(node ->> 'text', ''); end if;
  if jsonb_typeof(node -> 'content') = 'array' then
    for child in select e.value from jsonb_array_elements(node -> 'content') with ordinality e(value, i) order by e.i loop
      out := out || private.plan_text(child);
    end loop;
  end if;
  return out;
end
$$;
revoke execute on function private.plan_text(jsonb) from public;

-- who closes a decision's conditions ---------------------------------------------------------------------------------

alter table public.board_decisions
  add column conditions_closed_by text not null default 'chair' check (conditions_closed_by in ('chair', 'bdt'));
comment on column public.board_decisions.conditions_closed_by is
  'Who closes this decision''s conditions once BDT marked them met: the chair, or BDT where the chair delegated it.';

-- conditions ---------------------------------------------------------------------------------------------------------

create type public.condition_status as enum ('open', 'responded', 'met', 'not_met', 'closed');
comment on type public.condition_status is
  'open → responded (the centre answered) → met | not_met (BDT, with reasons); not_met → responded again; met → closed.';

create table public.decision_conditions (
  id uuid primary key default gen_random_uuid(),
  packet_id uuid not null references public.board_decisions (packet_id),
  position integer not null check (position between 1 and 20),
  application_id uuid not null references public.centre_applications (id),
  centre_id uuid not null references public.centres (id),
  organisation_id uuid not null references public.organisations (id),
  body text not null check (char_length(btrim(body)) between 1 and 5000),
  due_on date not null,
  plan_version_id uuid not null references public.plan_versions (id),
  anchor jsonb check (anchor is null or (jsonb_typeof(anchor) = 'object' and octet_length(anchor::text) <= 100)),
  quote text check (char_length(quote) between 1 and 2000),
  closed_by_role text not null check (closed_by_role in ('chair', 'bdt')),
  status public.condition_status not null default 'open',
  review_reason text check (char_length(review_reason) <= 20000),
  reviewed_by uuid references auth.users (id) on delete set null,
  reviewed_at timestamptz,
  closed_by uuid references auth.users (id) on delete set null,
  closed_at timestamptz,
  close_reason text check (char_length(close_reason) <= 20000),
  due_notified_at timestamptz,
  overdue_notified_at timestamptz,
  created_at timestamptz not null default now(),
  unique (packet_id, position),
  check ((anchor is null) = (quote is null)),
  check ((status = 'closed') = (closed_at is not null))
);
comment on table public.decision_conditions is
  'One condition of a Board decision "approved with conditions", tracked until it is closed. Written only by functions.';
comment on column public.decision_conditions.anchor is
  '{"from": n, "to": m}: character offsets of the passage in the text of plan_version_id (private.plan_text), or null.';
comment on column public.decision_conditions.plan_version_id is 'The approved plan version the passage belongs to.';
comment on column public.decision_conditions.closed_by_role is 'Copied from the decision: chair or bdt closes it.';
alter table public.decision_conditions enable row level security;
create index decision_conditions_organisation_idx on public.decision_conditions (organisation_id);
create index decision_conditions_centre_idx on public.decision_conditions (centre_id);
create index decision_conditions_application_idx on public.decision_conditions (application_id);
create index decision_conditions_due_idx on public.decision_conditions (due_on) where status <> 'closed';

create table public.condition_responses (
  id uuid primary key default gen_random_uuid(),
  condition_id uuid not null references public.decision_conditions (id),
  body text not null check (char_length(btrim(body)) between 1 and 20000),
  submitted_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.condition_responses is
  'The centre''s answers to a condition, in order; never changed. Files are attachments with condition_response_id.';
alter table public.condition_responses enable row level security;
create index condition_responses_condition_idx on public.condition_responses (condition_id, created_at);

revoke insert, update, delete, truncate on public.decision_conditions, public.condition_responses from anon, authenticated;

/** Closed means closed: nothing about a closed condition changes, whoever writes (functions included). */
create function private.forbid_closed_condition_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_table_name = 'decision_conditions' then
    if old.status = 'closed' or tg_op = 'DELETE' then
      raise exception using errcode = 'P0001', hint = 'invalid_transition', message = 'a closed condition never changes';
    end if;
    return new;
  end if;
  -- condition_responses: never rewritten, and none is added to a closed condition.
  if tg_op <> 'INSERT' then
    raise exception using errcode = 'P0001', hint = 'invalid_transition', message = 'a response is never rewritten';
  end if;
  if exists (select 1 from public.decision_conditions c where c.id = new.condition_id and c.status = 'closed') then
    raise exception using errcode = 'P0001', hint = 'invalid_transition', message = 'a closed condition never changes';
  end if;
  return new;
end
$$;
revoke execute on function private.forbid_closed_condition_change() from public;
create trigger decision_conditions_closed_is_final before update or delete on public.decision_conditions
  for each row execute function private.forbid_closed_condition_change();
create trigger condition_responses_immutable before insert or update or delete on public.condition_responses
  for each row execute function private.forbid_closed_condition_change();

-- response attachments: the attachments table, one more kind of record ---------------------------------------------

alter table public.attachments
  add column condition_response_id uuid references public.condition_responses (id) on delete cascade;
alter table public.attachments drop constraint attachments_check;
alter table public.attachments
  add constraint attachments_one_record check (num_nonnulls(eoi_id, application_id, condition_response_id) = 1);
create index attachments_condition_response_idx on public.attachments (condition_response_id)
  where condition_response_id is not null;

/** Files attached to a response to a closed condition stay as they are. */
create function private.forbid_closed_condition_attachment_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  if old.condition_response_id is not null and exists (
    select 1 from public.condition_responses r join public.decision_conditions c on c.id = r.condition_id
    where r.id = old.condition_response_id and c.status = 'closed') then
    raise exception using errcode = 'P0001', hint = 'invalid_transition', message = 'a closed condition never changes';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
$$;
revoke execute on function private.forbid_closed_condition_attachment_change() from public;
create trigger attachments_closed_condition_is_final before update or delete on public.attachments
  for each row execute function private.forbid_closed_condition_attachment_change();

-- permissions ---------------------------------------------------------------------------------------------------------

/**
 * Who reads a condition, its responses and their files: the centre's people, BDT, the chair, and Board members who
 * may see the application (declared no conflict on one of its packets). The public never does.
 */
create function private.can_see_condition(condition uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.decision_conditions c where c.id = condition
    and (private.is_member(c.organisation_id) or private.is_bdt() or private.has_role('board_chair')
         or (private.is_board() and private.can_see_application(c.application_id))))
$$;
revoke execute on function private.can_see_condition(uuid) from public;
grant execute on function private.can_see_condition(uuid) to authenticated, service_role;

create policy "The centre, BDT and the Board read conditions" on public.decision_conditions
  for select to authenticated using (private.can_see_condition(id));
create policy "Whoever reads a condition reads its responses" on public.condition_responses
  for select to authenticated using (private.can_see_condition(condition_id));
create policy "Deactivated accounts read and write nothing" on public.decision_conditions
  as restrictive for all to authenticated
  using ((select private.caller_is_active())) with check ((select private.caller_is_active()));
create policy "Deactivated accounts read and write nothing" on public.condition_responses
  as restrictive for all to authenticated
  using ((select private.caller_is_active())) with check ((select private.caller_is_active()));

create function private.can_see_condition_response(response uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.condition_responses r where r.id = response and private.can_see_condition(r.condition_id))
$$;
revoke execute on function private.can_see_condition_response(uuid) from public;
grant execute on function private.can_see_condition_response(uuid) to authenticated, service_role;

create policy "Whoever reads a condition reads its response files" on public.attachments
  for select to authenticated
  using (condition_response_id is not null and private.can_see_condition_response(condition_response_id));

create or replace function private.can_read_attachment(attachment uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.attachments a where a.id = attachment
                 and (private.can_discuss(a.eoi_id, a.application_id, null)
                      or (a.eoi_id is not null and private.board_sees_eoi(a.eoi_id))
                      or (a.condition_response_id is not null
                          and private.can_see_condition_response(a.condition_response_id))))
$$;

-- attachments: the checks every upload gets, in one place -------------------------------------------------------------

/** The bytes of an upload after the checks every upload gets: at most 10 MB, PDF, PNG or JPEG read from the bytes. */
create function private.checked_attachment_bytes(content_type text, content_base64 text) returns bytea
language plpgsql immutable set search_path = '' as $$
declare
  bytes bytea;
begin
  bytes := decode(coalesce(content_base64, ''), 'base64');
  if octet_length(bytes) = 0 then perform private.fail('file_empty', 'the file is empty'); end if;
  if octet_length(bytes) > 10485760 then perform private.fail('file_too_large', 'attachments are at most 10 MB'); end if;
  if not ((content_type = 'application/pdf' and substring(bytes from 1 for 5) = '\x255044462d'::bytea)
       or (content_type = 'image/png' and substring(bytes from 1 for 8) = '\x89504e470d0a1a0a'::bytea)
       or (content_type = 'image/jpeg' and substring(bytes from 1 for 3) = '\xffd8ff'::bytea)) then
    perform private.fail('file_type_not_allowed', 'only PDF, PNG and JPEG files are accepted');
  end if;
  return bytes;
end
$$;
revoke execute on function private.checked_attachment_bytes(text, text) from public;

create or replace function private.store_attachment(eoi uuid, application uuid, organisation uuid, file_name text,
                                                    content_type text, content_base64 text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  bytes bytea := private.checked_attachment_bytes(content_type, content_base64);
  new_id uuid;
  stored_name text := left(btrim(coalesce(file_name, '')), 255);
begin
  if stored_name = '' then stored_name := 'attachment'; end if;
  insert into public.attachments (eoi_id, application_id, file_name, content_type, size_bytes, sha256, uploaded_by)
  values (eoi, application, stored_name, content_type, octet_length(bytes),
          encode(extensions.digest(bytes, 'sha256'), 'hex'), (select auth.uid()))
  returning id into new_id;
  insert into public.attachment_contents (attachment_id, content) values (new_id, bytes);
  perform private.audit(case when eoi is not null then 'eoi' else 'application' end, coalesce(eoi, application),
                        organisation, 'add_attachment', null, null, null,
                        jsonb_build_object('attachment_id', new_id, 'file_name', stored_name));
  return new_id;
end
$$;

/** Stores one file of a response; the caller has locked the condition and checked the right to answer. */
create function private.store_condition_attachment(response uuid, file jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  bytes bytea;
  new_id uuid;
  stored_name text;
begin
  if jsonb_typeof(file) is distinct from 'object'
     or exists (select 1 from jsonb_object_keys(file) k where k not in ('file_name', 'content_type', 'content_base64')) then
    perform private.fail('invalid_input', 'each file is {file_name, content_type, content_base64}');
  end if;
  bytes := private.checked_attachment_bytes(file ->> 'content_type', file ->> 'content_base64');
  stored_name := left(btrim(coalesce(file ->> 'file_name', '')), 255);
  if stored_name = '' then stored_name := 'attachment'; end if;
  insert into public.attachments (condition_response_id, file_name, content_type, size_bytes, sha256, uploaded_by)
  values (response, stored_name, file ->> 'content_type', octet_length(bytes),
          encode(extensions.digest(bytes, 'sha256'), 'hex'), (select auth.uid()))
  returning id into new_id;
  insert into public.attachment_contents (attachment_id, content) values (new_id, bytes);
  return jsonb_build_object('attachment_id', new_id, 'file_name', stored_name);
end
$$;
revoke execute on function private.store_condition_attachment(uuid, jsonb) from public;

-- recording the decision -----------------------------------------------------------------------------------------------

/** The BDT people told about conditions: reviewers and coordinators. */
create function private.bdt_people() returns uuid[]
language sql stable security definer set search_path = '' as $$
  select private.users_with_role('reviewer') || private.users_with_role('coordinator')
$$;
revoke execute on function private.bdt_people() from public;

/**
 * Records one decision's conditions: `items` is a JSON array of {text, due_on, quote?, from?} (1 to 20). A quote must be
 * exactly in the approved version's text (at `from` when given, else its first occurrence).
 */
create function private.record_conditions(packet uuid, app public.centre_applications, centre uuid, version uuid,
                                          items jsonb, closer text) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  item jsonb;
  n integer := 0;
  due date;
  quoted text;
  start integer;
  version_text text;
begin
  if jsonb_typeof(items) is distinct from 'array' or jsonb_array_length(items) = 0 then
    perform private.fail('reason_required', 'state the conditions');
  end if;
  if jsonb_array_length(items) > 20 then perform private.fail('invalid_input', 'at most 20 conditions'); end if;
  select private.plan_text(v.content) into version_text from public.plan_versions v where v.id = version;
  for item in select e.value from jsonb_array_elements(items) with ordinality e(value, i) order by e.i loop
    n := n + 1;
    if jsonb_typeof(item) is distinct from 'object'
       or exists (select 1 from jsonb_object_keys(item) k where k not in ('text', 'due_on', 'quote', 'from')) then
      perform private.fail('invalid_input', 'each condition is {text, due_on, quote?, from?}');
    end if;
    if jsonb_typeof(item -> 'text') is distinct from 'string' or btrim(item ->> 'text') = '' then
      perform private.fail('reason_required', 'state each condition');
    end if;
    if char_length(item ->> 'text') > 5000 then perform private.fail('invalid_input', 'a condition is too long'); end if;
    if jsonb_typeof(item -> 'due_on') is distinct from 'string' or (item ->> 'due_on') !~ '^\d{4}-\d{2}-\d{2}$' then
      perform private.fail('invalid_deadline', 'give each condition a due date');
    end if;
    begin
      due := (item ->> 'due_on')::date;
    exception when others then
      perform private.fail('invalid_deadline', 'give each condition a valid due date');
    end;
    if due < current_date or due > current_date + 3650 then
      perform private.fail('invalid_deadline', 'a condition falls due from today to ten years ahead');
    end if;
    quoted := null;
    start := null;
    if item ? 'quote' and jsonb_typeof(item -> 'quote') <> 'null' then
      if jsonb_typeof(item -> 'quote') <> 'string' or char_length(item ->> 'quote') not between 1 and 2000 then
        perform private.fail('invalid_anchor', 'the passage is 1 to 2000 characters of the approved plan');
      end if;
      quoted := item ->> 'quote';
      if item ? 'from' and jsonb_typeof(item -> 'from') <> 'null' then
        if not private.json_integer_between(item -> 'from', 0, 100000000) then
          perform private.fail('invalid_anchor', 'the passage''s start is a character offset');
        end if;
        start := (item ->> 'from')::integer;
        if substr(version_text, start + 1, char_length(quoted)) is distinct from quoted then
          perform private.fail('invalid_anchor', 'the passage is not at that place in the approved plan');
        end if;
      else
        start := strpos(version_text, quoted) - 1;
        if start < 0 then perform private.fail('invalid_anchor', 'the passage is not in the approved plan'); end if;
      end if;
    elsif item ? 'from' and jsonb_typeof(item -> 'from') <> 'null' then
      perform private.fail('invalid_anchor', 'a passage needs its text');
    end if;
    insert into public.decision_conditions (packet_id, position, application_id, centre_id, organisation_id, body, due_on,
                                            plan_version_id, anchor, quote, closed_by_role)
    values (packet, n, app.id, centre, app.organisation_id, btrim(item ->> 'text'), due, version,
            case when quoted is not null then jsonb_build_object('from', start, 'to', start + char_length(quoted)) end,
            quoted, closer);
  end loop;
  return n;
end
$$;
revoke execute on function private.record_conditions(uuid, public.centre_applications, uuid, uuid, jsonb, text) from public;

drop function public.record_decision(uuid, public.vote_choice, text);

/**
 * The chair records the decision once quorum is met. "Changes requested" needs the Board's reasons (the applicant
 * reads them), is refused past the call's cap, and starts the next revision cycle; approval designates the centre
 * and freezes the plan. "Approve with conditions" records each condition (`condition_items`, see
 * private.record_conditions) against the approved version; `conditions_closed_by_bdt` delegates closing them to BDT.
 * Older callers that send only `conditions` text get one condition with it, due in 180 days.
 */
create function public.record_decision(packet uuid, outcome public.vote_choice, conditions text default null,
                                       condition_items jsonb default null, conditions_closed_by_bdt boolean default false)
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
  items jsonb := condition_items;
  summary text := nullif(btrim(conditions), '');
  condition_count integer := 0;
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
  if new_status = 'approved_with_conditions' then
    if items is null and summary is not null then
      items := jsonb_build_array(jsonb_build_object('text', summary, 'due_on', (current_date + 180)::text));
    end if;
    if jsonb_typeof(items) is distinct from 'array' or jsonb_array_length(items) = 0 then
      perform private.fail('reason_required', 'state the conditions');
    end if;
    if summary is null then
      select string_agg(format('%s. %s', e.i, btrim(e.value ->> 'text')), E'\n' order by e.i) into summary
      from jsonb_array_elements(items) with ordinality e(value, i);
      summary := left(nullif(btrim(summary), ''), 20000);
    end if;
  elsif items is not null then
    perform private.fail('invalid_input', 'only "approve with conditions" takes conditions');
  end if;
  if new_status = 'approved_with_conditions' and summary is null then
    perform private.fail('reason_required', 'state the conditions');
  end if;
  if new_status = 'changes_requested' and summary is null then
    perform private.fail('reason_required', 'give the Board''s reasons for the changes');
  end if;
  app := private.lock_application(packet_row.application_id);
  if app.status <> 'board_review' then perform private.fail('invalid_transition', 'the application is not in board review'); end if;
  if new_status = 'changes_requested' then perform private.require_revision_left(app); end if;
  insert into public.board_decisions (packet_id, outcome, conditions, votes_counted, quorum_required, recorded_by,
                                      conditions_closed_by)
  values (packet, new_status, summary, tally.votes_counted, tally.quorum_required, caller,
          case when coalesce(conditions_closed_by_bdt, false) then 'bdt' else 'chair' end);
  update public.centre_applications
  set status = new_status, decided_at = now(),
      revision_cycle = revision_cycle + case when new_status = 'changes_requested' then 1 else 0 end
  where id = app.id;
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
  if new_status = 'approved_with_conditions' then
    condition_count := private.record_conditions(packet, app, centre, approved_version, items,
                                                 case when coalesce(conditions_closed_by_bdt, false) then 'bdt' else 'chair' end);
  end if;
  perform private.audit('application', app.id, app.organisation_id, 'record_decision', 'board_review', new_status::text,
                        summary, jsonb_build_object('packet_id', packet, 'votes_counted', tally.votes_counted,
                                                    'quorum_required', tally.quorum_required,
                                                    'revision_cycle', app.revision_cycle
                                                      + case when new_status = 'changes_requested' then 1 else 0 end,
                                                    'conditions', condition_count,
                                                    'conditions_closed_by',
                                                      case when coalesce(conditions_closed_by_bdt, false) then 'bdt' else 'chair' end));
  perform private.notify(private.application_members(app) || private.users_with_role('coordinator'),
                         'board_decision_recorded', 'application', app.id, jsonb_build_object('outcome', new_status));
  return centre;
end
$$;
revoke execute on function public.record_decision(uuid, public.vote_choice, text, jsonb, boolean) from public, anon;
grant execute on function public.record_decision(uuid, public.vote_choice, text, jsonb, boolean) to authenticated;

-- transitions ----------------------------------------------------------------------------------------------------------

create function private.lock_condition(condition uuid) returns public.decision_conditions
language plpgsql security definer set search_path = '' as $$
declare
  row public.decision_conditions;
begin
  select * into row from public.decision_conditions c where c.id = condition for update;
  if not found or not private.can_see_condition(condition) then perform private.fail('not_found', 'no such condition'); end if;
  return row;
end
$$;
revoke execute on function private.lock_condition(uuid) from public;

/**
 * The centre's people answer an open (or not met) condition: a response and up to five files (`files`: a JSON array of
 * {file_name, content_type, content_base64}, checked from the bytes like every upload). BDT is told.
 */
create function public.respond_to_condition(condition uuid, body text, files jsonb default '[]') returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.decision_conditions;
  response uuid;
  file jsonb;
  stored jsonb := '[]';
begin
  row := private.lock_condition(condition);
  if not private.is_member(row.organisation_id) then
    perform private.fail('not_allowed', 'the centre''s people answer its conditions');
  end if;
  if row.status not in ('open', 'not_met') then
    perform private.fail('invalid_transition', 'only an open condition, or one not met, takes a response');
  end if;
  if coalesce(btrim(body), '') = '' then perform private.fail('reason_required', 'write the response'); end if;
  if char_length(body) > 20000 then perform private.fail('invalid_input', 'the response is too long'); end if;
  if files is not null and jsonb_typeof(files) <> 'array' then perform private.fail('invalid_input', 'files is a list'); end if;
  if jsonb_array_length(coalesce(files, '[]')) > 5 then perform private.fail('invalid_input', 'at most five files'); end if;
  insert into public.condition_responses (condition_id, body, submitted_by) values (condition, btrim(body), caller)
  returning id into response;
  for file in select e.value from jsonb_array_elements(coalesce(files, '[]')) with ordinality e(value, i) order by e.i loop
    stored := stored || private.store_condition_attachment(response, file);
  end loop;
  update public.decision_conditions set status = 'responded' where id = condition;
  perform private.audit('condition', condition, row.organisation_id, 'respond_to_condition', row.status::text, 'responded',
                        null, jsonb_build_object('response_id', response, 'attachments', stored));
  perform private.notify(private.bdt_people(), 'condition_responded', 'condition', condition);
  return response;
end
$$;

/** BDT marks an answered condition met or not met, with reasons; the centre is told, and whoever closes it. */
create function public.review_condition(condition uuid, met boolean, reason text) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.decision_conditions;
  new_status public.condition_status;
begin
  if not private.is_bdt() then perform private.fail('not_allowed', 'BDT marks conditions met or not met'); end if;
  if met is null then perform private.fail('invalid_input', 'say whether the condition is met'); end if;
  row := private.lock_condition(condition);
  if row.status <> 'responded' then
    perform private.fail('invalid_transition', 'only a condition the centre answered is marked met or not met');
  end if;
  if coalesce(btrim(reason), '') = '' then perform private.fail('reason_required', 'give the reasons'); end if;
  if char_length(reason) > 20000 then perform private.fail('invalid_input', 'the reasons are too long'); end if;
  new_status := case when met then 'met' else 'not_met' end;
  update public.decision_conditions
  set status = new_status, review_reason = btrim(reason), reviewed_by = caller, reviewed_at = now()
  where id = condition;
  perform private.audit('condition', condition, row.organisation_id, 'review_condition', row.status::text,
                        new_status::text, reason);
  perform private.notify(
    (select coalesce(array_agg(m.user_id), '{}') from public.organisation_members m where m.organisation_id = row.organisation_id)
      || case when met then case row.closed_by_role when 'chair' then private.users_with_role('board_chair')
                                                    else private.bdt_people() end
              else '{}'::uuid[] end,
    'condition_reviewed', 'condition', condition, jsonb_build_object('status', new_status));
end
$$;

/**
 * Closes a condition BDT marked met: the chair (not one conflicted on the decision's packet), or BDT where the
 * decision delegated it. Closed is final.
 */
create function public.close_condition(condition uuid, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.decision_conditions;
begin
  if not (private.has_role('board_chair') or private.is_bdt()) then
    perform private.fail('not_allowed', 'the chair, or BDT where the decision delegates it, closes a condition');
  end if;
  row := private.lock_condition(condition);
  if row.closed_by_role = 'chair' and not (private.has_role('board_chair') and not exists (
       select 1 from public.conflict_declarations d where d.packet_id = row.packet_id and d.member_id = caller and d.has_conflict)) then
    perform private.fail('not_allowed', 'the chair closes this condition');
  end if;
  if row.closed_by_role = 'bdt' and not private.is_bdt() then
    perform private.fail('not_allowed', 'BDT closes this condition');
  end if;
  if row.status <> 'met' then perform private.fail('invalid_transition', 'only a condition marked met is closed'); end if;
  if char_length(reason) > 20000 then perform private.fail('invalid_input', 'the reasons are too long'); end if;
  update public.decision_conditions
  set status = 'closed', closed_by = caller, closed_at = now(), close_reason = nullif(btrim(reason), '')
  where id = condition;
  perform private.audit('condition', condition, row.organisation_id, 'close_condition', 'met', 'closed', reason);
  perform private.notify(
    (select coalesce(array_agg(m.user_id), '{}') from public.organisation_members m where m.organisation_id = row.organisation_id)
      || private.bdt_people(),
    'condition_closed', 'condition', condition);
end
$$;

revoke execute on function public.respond_to_condition(uuid, text, jsonb), public.review_condition(uuid, boolean, text),
  public.close_condition(uuid, text) from public, anon;
grant execute on function public.respond_to_condition(uuid, text, jsonb), public.review_condition(uuid, boolean, text),
  public.close_condition(uuid, text) to authenticated;

-- due and overdue reminders -----------------------------------------------------------------------------------------

/**
 * Tells the centre and BDT once that a condition falls due (within `warning_days`) and once that it is overdue (past
 * its due date and not yet met). Each reminder is claimed with `for update skip locked` and stamped in the same
 * statement, so several app servers running the job at once send each one exactly once. Returns how many were sent.
 */
create function private.send_condition_reminders(warning_days integer default 7) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  row public.decision_conditions;
  sent integer := 0;
begin
  for row in
    with due as (
      select c.id from public.decision_conditions c
      where c.overdue_notified_at is null and c.status in ('open', 'not_met', 'responded') and c.due_on < current_date
      order by c.due_on, c.id
      for update skip locked)
    update public.decision_conditions c set overdue_notified_at = now(), due_notified_at = coalesce(c.due_notified_at, now())
    from due where c.id = due.id
    returning c.*
  loop
    perform private.notify(
      (select coalesce(array_agg(m.user_id), '{}') from public.organisation_members m where m.organisation_id = row.organisation_id)
        || private.bdt_people(),
      'condition_overdue', 'condition', row.id, jsonb_build_object('due_on', row.due_on));
    sent := sent + 1;
  end loop;
  for row in
    with due as (
      select c.id from public.decision_conditions c
      where c.due_notified_at is null and c.status in ('open', 'not_met')
        and c.due_on <= current_date + greatest(coalesce(warning_days, 7), 0)
      order by c.due_on, c.id
      for update skip locked)
    update public.decision_conditions c set due_notified_at = now()
    from due where c.id = due.id
    returning c.*
  loop
    perform private.notify(
      (select coalesce(array_agg(m.user_id), '{}') from public.organisation_members m where m.organisation_id = row.organisation_id)
        || private.bdt_people(),
      'condition_due', 'condition', row.id, jsonb_build_object('due_on', row.due_on));
    sent := sent + 1;
  end loop;
  return sent;
end
$$;
-- The server's job runs it on its own database connection; no person calls it.
revoke execute on function private.send_condition_reminders(integer) from public, anon, authenticated;

-- what staff and the directory see ------------------------------------------------------------------------------------

/** Open (not closed) conditions per centre, for BDT and the Board: "designated, conditions open". */
create function public.list_centre_condition_counts()
returns table (centre_id uuid, open_conditions integer, total_conditions integer)
language plpgsql stable security definer set search_path = '' as $$
begin
  if not (private.is_bdt() or private.is_board()) then perform private.fail('not_allowed', 'BDT and the Board only'); end if;
  return query
  select c.centre_id, (count(*) filter (where c.status <> 'closed'))::integer, count(*)::integer
  from public.decision_conditions c group by c.centre_id;
end
$$;
revoke execute on function public.list_centre_condition_counts() from public, anon;
grant execute on function public.list_centre_condition_counts() to authenticated;
