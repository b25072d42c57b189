-- Issue 16, part 2: reporting periods and progress reports. A coordinator opens a reporting period (name, period
-- covered, due date) for every designated centre: each centre gets a draft report whose KPI lines are copied from the
-- approved baseline in force (centre_baselines → plan_versions → private.plan_kpis), so the history keeps what each
-- report measured against. The centre's people write it together (each save changes only the fields the writer
-- changed, refused if somebody else changed the same field meanwhile), attach evidence (the same checks from the bytes
-- as every upload) and submit; BDT accepts it or asks for changes. Due and overdue reminders go out once each.
-- When an amendment changes the baseline, the reports still being written move to the new targets (actual values
-- kept per KPI); submitted and accepted reports keep the targets they were measured against.

create type public.report_status as enum ('draft', 'submitted', 'changes_requested', 'accepted');
comment on type public.report_status is
  'draft → submitted (the centre) → accepted | changes_requested (BDT, with reasons); changes_requested → submitted.';
create type public.kpi_progress as enum ('on_track', 'at_risk', 'off_track', 'achieved');

-- reporting_periods ---------------------------------------------------------------------------------------------------

create table public.reporting_periods (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 200),
  covers_from date not null,
  covers_to date not null,
  due_on date not null,
  opened_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  check (covers_from <= covers_to)
);
comment on table public.reporting_periods is
  'A reporting period opened by a coordinator for all designated centres. Written only by open_reporting_period.';
alter table public.reporting_periods enable row level security;
create index reporting_periods_covers_idx on public.reporting_periods (covers_to desc);

-- progress_reports ----------------------------------------------------------------------------------------------------

create table public.progress_reports (
  id uuid primary key default gen_random_uuid(),
  period_id uuid not null references public.reporting_periods (id),
  centre_id uuid not null references public.centres (id),
  organisation_id uuid not null references public.organisations (id),
  -- The approved baseline the report measures against (the one in force when it was last written).
  baseline_id bigint not null references public.centre_baselines (id),
  plan_version_id uuid not null references public.plan_versions (id),
  status public.report_status not null default 'draft',
  -- Counts saves: shown to the writers, and part of every audit entry.
  version integer not null default 1,
  review_reason text check (char_length(review_reason) <= 20000),
  submitted_by uuid references auth.users (id) on delete set null,
  submitted_at timestamptz,
  reviewed_by uuid references auth.users (id) on delete set null,
  reviewed_at timestamptz,
  due_notified_at timestamptz,
  overdue_notified_at timestamptz,
  updated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (period_id, centre_id)
);
comment on table public.progress_reports is
  'A designated centre''s progress report for one reporting period. Written only by functions.';
alter table public.progress_reports enable row level security;
create index progress_reports_organisation_idx on public.progress_reports (organisation_id);
create index progress_reports_centre_idx on public.progress_reports (centre_id, status);
create index progress_reports_period_idx on public.progress_reports (period_id);
create trigger progress_reports_touch_updated_at before update on public.progress_reports
  for each row execute function private.touch_updated_at();

create table public.progress_report_kpis (
  report_id uuid not null references public.progress_reports (id) on delete cascade,
  kpi_key text not null,
  capability text not null,
  position integer not null,
  indicator text not null,
  unit text,
  baseline numeric,
  target numeric,
  target_date date,
  actual numeric,
  status public.kpi_progress,
  primary key (report_id, kpi_key)
);
comment on table public.progress_report_kpis is
  'One KPI of a report: indicator, unit, baseline, target and target date copied from the approved baseline in force, '
  'with the centre''s actual value and status.';
alter table public.progress_report_kpis enable row level security;

create table public.progress_report_narratives (
  report_id uuid not null references public.progress_reports (id) on delete cascade,
  capability text not null references public.strategic_capabilities (code),
  body text not null default '' check (char_length(body) <= 20000),
  primary key (report_id, capability)
);
comment on table public.progress_report_narratives is 'The narrative of a report for one strategic capability.';
alter table public.progress_report_narratives enable row level security;

revoke insert, update, delete, truncate on public.reporting_periods, public.progress_reports,
  public.progress_report_kpis, public.progress_report_narratives from anon, authenticated;

-- evidence: the attachments table, one more kind of record ------------------------------------------------------------

alter table public.attachments
  add column progress_report_id uuid references public.progress_reports (id) on delete cascade;
alter table public.attachments drop constraint attachments_one_record;
alter table public.attachments add constraint attachments_one_record
  check (num_nonnulls(eoi_id, application_id, condition_response_id, progress_report_id) = 1);
create index attachments_progress_report_idx on public.attachments (progress_report_id)
  where progress_report_id is not null;

-- permissions ---------------------------------------------------------------------------------------------------------

/**
 * Who reads a report: the centre's people and BDT always; the Board once it is accepted (the Network's progress).
 * The public reads only the KPI summary of a centre's latest accepted report (public_centre_progress).
 */
create function private.can_see_report(report uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.progress_reports r where r.id = report
    and (private.is_member(r.organisation_id) or private.is_bdt() or (private.is_board() and r.status = 'accepted')))
$$;
revoke execute on function private.can_see_report(uuid) from public;
grant execute on function private.can_see_report(uuid) to authenticated, service_role;

create policy "BDT, the Board and designated centres' people read reporting periods" on public.reporting_periods
  for select to authenticated using (
    private.is_bdt() or private.is_board()
    or exists (select 1 from public.progress_reports r
               where r.period_id = reporting_periods.id and private.is_member(r.organisation_id)));
create policy "The centre and BDT read a report, the Board once accepted" on public.progress_reports
  for select to authenticated using (private.can_see_report(id));
create policy "Whoever reads a report reads its KPIs" on public.progress_report_kpis
  for select to authenticated using (private.can_see_report(report_id));
create policy "Whoever reads a report reads its narratives" on public.progress_report_narratives
  for select to authenticated using (private.can_see_report(report_id));
create policy "Whoever reads a report reads its evidence" on public.attachments
  for select to authenticated using (progress_report_id is not null and private.can_see_report(progress_report_id));
create policy "Deactivated accounts read and write nothing" on public.reporting_periods as restrictive for all
  to authenticated using ((select private.caller_is_active())) with check ((select private.caller_is_active()));
create policy "Deactivated accounts read and write nothing" on public.progress_reports as restrictive for all
  to authenticated using ((select private.caller_is_active())) with check ((select private.caller_is_active()));
create policy "Deactivated accounts read and write nothing" on public.progress_report_kpis as restrictive for all
  to authenticated using ((select private.caller_is_active())) with check ((select private.caller_is_active()));
create policy "Deactivated accounts read and write nothing" on public.progress_report_narratives as restrictive for all
  to authenticated using ((select private.caller_is_active())) with check ((select private.caller_is_active()));

create or replace function private.can_read_attachment(attachment uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.attachments a where a.id = attachment
                 and (private.can_discuss(a.eoi_id, a.application_id, null)
                      or (a.eoi_id is not null and private.board_sees_eoi(a.eoi_id))
                      or (a.condition_response_id is not null
                          and private.can_see_condition_response(a.condition_response_id))
                      or (a.progress_report_id is not null and private.can_see_report(a.progress_report_id))))
$$;

-- the KPI lines a report measures against -----------------------------------------------------------------------------

/** The centre's baseline in force: the latest approved one (designation, then each approved amendment). */
create function private.baseline_in_force(centre uuid) returns public.centre_baselines
language sql stable security definer set search_path = '' as $$
  select b.* from public.centre_baselines b where b.centre_id = centre order by b.approved_at desc, b.id desc limit 1
$$;

/**
 * Copies the KPIs of the baseline in force into a report still being written: new KPIs are added, KPIs the baseline
 * no longer has are dropped, and indicator, unit, baseline, target and target date follow the baseline; the actual
 * values and statuses the centre wrote are kept per KPI. Narratives exist for each capability of the centre.
 */
create function private.fill_report_lines(report uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.progress_reports;
  base public.centre_baselines;
begin
  select * into row from public.progress_reports r where r.id = report;
  base := private.baseline_in_force(row.centre_id);
  update public.progress_reports set baseline_id = base.id, plan_version_id = base.plan_version_id where id = report;
  delete from public.progress_report_kpis k where k.report_id = report and k.kpi_key not in (
    select p.kpi_key from public.plan_versions v, private.plan_kpis(v.content) p where v.id = base.plan_version_id);
  insert into public.progress_report_kpis (report_id, kpi_key, capability, position, indicator, unit, baseline, target,
                                           target_date)
  select report, p.kpi_key, p.capability, p.position, coalesce(p.indicator, ''), p.unit, p.baseline, p.target, p.target_date
  from public.plan_versions v, private.plan_kpis(v.content) p where v.id = base.plan_version_id
  on conflict (report_id, kpi_key) do update
  set capability = excluded.capability, "position" = excluded."position", indicator = excluded.indicator,
      unit = excluded.unit, baseline = excluded.baseline, target = excluded.target, target_date = excluded.target_date;
  insert into public.progress_report_narratives (report_id, capability)
  select report, c from public.centres ce, unnest(ce.capabilities) c
  where ce.id = row.centre_id and c in (select code from public.strategic_capabilities)
  on conflict do nothing;
end
$$;
revoke execute on function private.baseline_in_force(uuid), private.fill_report_lines(uuid) from public;

/** An approved amendment: the centre's reports still being written now measure against the new baseline. */
create function private.rebase_open_reports() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  report uuid;
begin
  for report in select r.id from public.progress_reports r
                where r.centre_id = new.centre_id and r.status in ('draft', 'changes_requested') loop
    perform private.fill_report_lines(report);
  end loop;
  return null;
end
$$;
revoke execute on function private.rebase_open_reports() from public;
create trigger centre_baselines_rebase_open_reports after insert on public.centre_baselines
  for each row execute function private.rebase_open_reports();

-- transitions ---------------------------------------------------------------------------------------------------------

create function private.report_members(report public.progress_reports) returns uuid[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(m.user_id), '{}') from public.organisation_members m where m.organisation_id = report.organisation_id
$$;
revoke execute on function private.report_members(public.progress_reports) from public;

create function private.lock_report(report uuid) returns public.progress_reports
language plpgsql security definer set search_path = '' as $$
declare
  row public.progress_reports;
begin
  select * into row from public.progress_reports r where r.id = report for update;
  if not found or not private.can_see_report(report) then perform private.fail('not_found', 'no such report'); end if;
  return row;
end
$$;
revoke execute on function private.lock_report(uuid) from public;

/** A coordinator opens a reporting period: every designated centre gets a draft report and its people are told. */
create function public.open_reporting_period(name text, covers_from date, covers_to date, due_on date) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  period uuid;
  centre public.centres;
  report uuid;
  reports integer := 0;
begin
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'coordinators open reporting periods'); end if;
  if coalesce(btrim(open_reporting_period.name), '') = '' then perform private.fail('invalid_input', 'name the period'); end if;
  if char_length(open_reporting_period.name) > 200 then perform private.fail('invalid_input', 'the name is too long'); end if;
  if open_reporting_period.covers_from is null or open_reporting_period.covers_to is null
     or open_reporting_period.due_on is null then
    perform private.fail('invalid_input', 'give the period covered and the due date');
  end if;
  if open_reporting_period.covers_from > open_reporting_period.covers_to then
    perform private.fail('invalid_input', 'the period ends before it starts');
  end if;
  if open_reporting_period.due_on < open_reporting_period.covers_from then
    perform private.fail('invalid_input', 'the due date is before the period starts');
  end if;
  insert into public.reporting_periods (name, covers_from, covers_to, due_on, opened_by)
  values (btrim(open_reporting_period.name), open_reporting_period.covers_from, open_reporting_period.covers_to,
          open_reporting_period.due_on, caller)
  returning id into period;
  for centre in select * from public.centres c order by c.designated_at loop
    insert into public.progress_reports (period_id, centre_id, organisation_id, baseline_id, plan_version_id, updated_by)
    select period, centre.id, centre.organisation_id, b.id, b.plan_version_id, caller
    from private.baseline_in_force(centre.id) b where b.id is not null
    returning id into report;
    if report is null then continue; end if;
    perform private.fill_report_lines(report);
    perform private.audit('progress_report', report, centre.organisation_id, 'open_report', null, 'draft', null,
                          jsonb_build_object('period_id', period));
    perform private.notify(private.report_members((select r from public.progress_reports r where r.id = report)),
                           'report_opened', 'progress_report', report,
                           jsonb_build_object('due_on', open_reporting_period.due_on));
    reports := reports + 1;
    report := null;
  end loop;
  perform private.audit('reporting_period', period, null, 'open_reporting_period', null, 'open', null,
                        jsonb_build_object('name', btrim(open_reporting_period.name), 'reports', reports,
                                           'covers_from', open_reporting_period.covers_from,
                                           'covers_to', open_reporting_period.covers_to,
                                           'due_on', open_reporting_period.due_on));
  return period;
end
$$;

/**
 * The centre's people write their report together. `changes` lists only the fields this writer changed, each with
 * the value they started from: [{"field": "actual" | "status", "kpi": key, "from": ..., "to": ...} |
 * {"field": "narrative", "capability": code, "from": ..., "to": ...}]. A field somebody else changed meanwhile (to
 * another value) is a conflict: nothing is saved and the error names the fields, so the writer keeps what they typed
 * and sees the newer values. Returns the report's new version.
 */
create function public.save_progress_report(report uuid, changes jsonb) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.progress_reports;
  change jsonb;
  current text;
  conflicts text[] := '{}';
  field text;
  field_key text;
  new_value text;
begin
  row := private.lock_report(report);
  if not private.is_member(row.organisation_id) then
    perform private.fail('not_allowed', 'the centre''s people write its report');
  end if;
  if row.status not in ('draft', 'changes_requested') then
    perform private.fail('invalid_transition', 'only a draft report, or one returned for changes, is written');
  end if;
  if jsonb_typeof(changes) is distinct from 'array' or jsonb_array_length(changes) > 500 then
    perform private.fail('invalid_input', 'changes is a list');
  end if;
  for change in select e.value from jsonb_array_elements(changes) e loop
    field := change ->> 'field';
    if jsonb_typeof(change) <> 'object' or field is null or field not in ('actual', 'status', 'narrative') then
      perform private.fail('invalid_input', 'unknown field');
    end if;
    field_key := case when field = 'narrative' then change ->> 'capability' else change ->> 'kpi' end;
    new_value := nullif(btrim(coalesce(change ->> 'to', '')), '');
    if field = 'narrative' then
      select n.body into current from public.progress_report_narratives n
      where n.report_id = report and n.capability = field_key;
      if not found then perform private.fail('invalid_input', 'no such capability in this report'); end if;
      current := nullif(current, '');
      if char_length(new_value) > 20000 then perform private.fail('invalid_input', 'the narrative is too long'); end if;
    else
      select case when field = 'actual' then k.actual::text else k.status::text end into current
      from public.progress_report_kpis k where k.report_id = report and k.kpi_key = field_key;
      if not found then perform private.fail('invalid_input', 'no such KPI in this report'); end if;
      if field = 'actual' and new_value is not null and new_value !~ '^-?[0-9]{1,15}(\.[0-9]{1,6})?$' then
        perform private.fail('invalid_input', 'the actual value is a number');
      end if;
      if field = 'status' and new_value is not null
         and new_value not in ('on_track', 'at_risk', 'off_track', 'achieved') then
        perform private.fail('invalid_input', 'unknown status');
      end if;
    end if;
    -- Compared as numbers for actual values, so "12" and "12.0" are the same value.
    if field = 'actual' then
      if current::numeric is distinct from (nullif(btrim(coalesce(change ->> 'from', '')), ''))::numeric
         and current::numeric is distinct from new_value::numeric then
        conflicts := conflicts || (field || ':' || field_key);
      end if;
    elsif current is distinct from nullif(btrim(coalesce(change ->> 'from', '')), '')
          and current is distinct from new_value then
      conflicts := conflicts || (field || ':' || field_key);
    end if;
  end loop;
  if cardinality(conflicts) > 0 then
    raise exception using errcode = 'P0001', hint = 'report_conflict',
      message = 'somebody else changed these fields meanwhile', detail = array_to_string(conflicts, ',');
  end if;
  for change in select e.value from jsonb_array_elements(changes) e loop
    field := change ->> 'field';
    new_value := nullif(btrim(coalesce(change ->> 'to', '')), '');
    if field = 'narrative' then
      update public.progress_report_narratives n set body = coalesce(new_value, '')
      where n.report_id = report and n.capability = change ->> 'capability';
    elsif field = 'actual' then
      update public.progress_report_kpis k set actual = new_value::numeric
      where k.report_id = report and k.kpi_key = change ->> 'kpi';
    else
      update public.progress_report_kpis k set status = new_value::public.kpi_progress
      where k.report_id = report and k.kpi_key = change ->> 'kpi';
    end if;
  end loop;
  update public.progress_reports set version = version + 1, updated_by = caller where id = report;
  perform private.audit('progress_report', report, row.organisation_id, 'save_report', null, null, null,
                        jsonb_build_object('version', row.version + 1, 'fields', jsonb_array_length(changes)));
  return row.version + 1;
end
$$;

/** The centre submits its report (every KPI needs a status); BDT is told. */
create function public.submit_progress_report(report uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.progress_reports;
begin
  row := private.lock_report(report);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'the centre submits its report'); end if;
  if row.status not in ('draft', 'changes_requested') then
    perform private.fail('invalid_transition', 'only a draft report, or one returned for changes, is submitted');
  end if;
  if exists (select 1 from public.progress_report_kpis k where k.report_id = report and k.status is null) then
    perform private.fail('report_incomplete', 'give every KPI a status');
  end if;
  update public.progress_reports set status = 'submitted', submitted_by = caller, submitted_at = now() where id = report;
  perform private.audit('progress_report', report, row.organisation_id, 'submit_report', row.status::text, 'submitted',
                        null, jsonb_build_object('version', row.version));
  perform private.notify(private.bdt_people(), 'report_submitted', 'progress_report', report);
end
$$;

/** BDT accepts a submitted report, or returns it with the changes it asks for (reasons required). */
create function public.review_progress_report(report uuid, accept boolean, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.progress_reports;
  next_status public.report_status;
begin
  if not private.is_bdt() then perform private.fail('not_allowed', 'BDT accepts reports or asks for changes'); end if;
  if review_progress_report.accept is null then perform private.fail('invalid_input', 'accept or ask for changes'); end if;
  row := private.lock_report(report);
  if row.status <> 'submitted' then perform private.fail('invalid_transition', 'only a submitted report is reviewed'); end if;
  if not review_progress_report.accept and coalesce(btrim(review_progress_report.reason), '') = '' then
    perform private.fail('reason_required', 'say what should change');
  end if;
  if char_length(review_progress_report.reason) > 20000 then perform private.fail('invalid_input', 'the reasons are too long'); end if;
  next_status := case when review_progress_report.accept then 'accepted' else 'changes_requested' end;
  update public.progress_reports
  set status = next_status, review_reason = nullif(btrim(review_progress_report.reason), ''), reviewed_by = caller,
      reviewed_at = now()
  where id = report;
  perform private.audit('progress_report', report, row.organisation_id, 'review_report', 'submitted', next_status::text,
                        review_progress_report.reason);
  perform private.notify(private.report_members(row),
                         case when review_progress_report.accept then 'report_accepted' else 'report_changes_requested' end,
                         'progress_report', report);
end
$$;

/** Evidence for a report being written, checked from its bytes like every upload. */
create function public.add_report_evidence(report uuid, file_name text, content_type text, content_base64 text)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  row public.progress_reports;
  bytes bytea;
  new_id uuid;
  stored_name text := left(btrim(coalesce(add_report_evidence.file_name, '')), 255);
begin
  row := private.lock_report(report);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'the centre''s people add evidence'); end if;
  if row.status not in ('draft', 'changes_requested') then
    perform private.fail('invalid_transition', 'evidence is added while the report is written');
  end if;
  if (select count(*) from public.attachments a where a.progress_report_id = report) >= 20 then
    perform private.fail('invalid_input', 'at most twenty files');
  end if;
  bytes := private.checked_attachment_bytes(add_report_evidence.content_type, add_report_evidence.content_base64);
  if stored_name = '' then stored_name := 'evidence'; end if;
  insert into public.attachments (progress_report_id, file_name, content_type, size_bytes, sha256, uploaded_by)
  values (report, stored_name, add_report_evidence.content_type, octet_length(bytes),
          encode(extensions.digest(bytes, 'sha256'), 'hex'), caller)
  returning id into new_id;
  insert into public.attachment_contents (attachment_id, content) values (new_id, bytes);
  perform private.audit('progress_report', report, row.organisation_id, 'add_attachment', null, null, null,
                        jsonb_build_object('attachment_id', new_id, 'file_name', stored_name));
  return new_id;
end
$$;

/** Removes a piece of evidence while the report is being written. */
create function public.remove_report_evidence(attachment uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  target public.attachments;
  row public.progress_reports;
begin
  perform private.require_user();
  select * into target from public.attachments a where a.id = remove_report_evidence.attachment;
  if not found or target.progress_report_id is null then perform private.fail('not_found', 'no such attachment'); end if;
  row := private.lock_report(target.progress_report_id);
  if not private.is_member(row.organisation_id) then perform private.fail('not_allowed', 'the centre''s people remove evidence'); end if;
  if row.status not in ('draft', 'changes_requested') then
    perform private.fail('invalid_transition', 'evidence is removed while the report is written');
  end if;
  delete from public.attachments a where a.id = remove_report_evidence.attachment;
  perform private.audit('progress_report', row.id, row.organisation_id, 'remove_attachment', null, null, null,
                        jsonb_build_object('attachment_id', target.id, 'file_name', target.file_name));
end
$$;

revoke execute on function public.open_reporting_period(text, date, date, date),
  public.save_progress_report(uuid, jsonb), public.submit_progress_report(uuid),
  public.review_progress_report(uuid, boolean, text), public.add_report_evidence(uuid, text, text, text),
  public.remove_report_evidence(uuid) from public, anon;
grant execute on function public.open_reporting_period(text, date, date, date),
  public.save_progress_report(uuid, jsonb), public.submit_progress_report(uuid),
  public.review_progress_report(uuid, boolean, text), public.add_report_evidence(uuid, text, text, text),
  public.remove_report_evidence(uuid) to authenticated;

-- due and overdue reminders -------------------------------------------------------------------------------------------

/**
 * Tells a centre's people once that its report falls due (within `warning_days`, not yet submitted) and once that it
 * is overdue (past the due date and still not submitted; BDT is told too). Each reminder is claimed with `for update
 * skip locked` and stamped in the same statement, so several servers running the job send each exactly once.
 */
create function private.send_report_reminders(warning_days integer default 7) returns integer
language plpgsql security definer set search_path = '' as $$
declare
  row public.progress_reports;
  due date;
  sent integer := 0;
begin
  for row in
    with late as (
      select r.id from public.progress_reports r join public.reporting_periods p on p.id = r.period_id
      where r.overdue_notified_at is null and r.status in ('draft', 'changes_requested') and p.due_on < current_date
      order by p.due_on, r.id
      for update of r skip locked)
    update public.progress_reports r set overdue_notified_at = now(), due_notified_at = coalesce(r.due_notified_at, now())
    from late where r.id = late.id
    returning r.*
  loop
    select p.due_on into due from public.reporting_periods p where p.id = row.period_id;
    perform private.notify(private.report_members(row) || private.bdt_people(), 'report_overdue', 'progress_report',
                           row.id, jsonb_build_object('due_on', due));
    sent := sent + 1;
  end loop;
  for row in
    with soon as (
      select r.id from public.progress_reports r join public.reporting_periods p on p.id = r.period_id
      where r.due_notified_at is null and r.status in ('draft', 'changes_requested')
        and p.due_on <= current_date + greatest(coalesce(warning_days, 7), 0)
      order by p.due_on, r.id
      for update of r skip locked)
    update public.progress_reports r set due_notified_at = now()
    from soon where r.id = soon.id
    returning r.*
  loop
    select p.due_on into due from public.reporting_periods p where p.id = row.period_id;
    perform private.notify(private.report_members(row), 'report_due', 'progress_report', row.id,
                           jsonb_build_object('due_on', due));
    sent := sent + 1;
  end loop;
  return sent;
end
$$;
-- The server's job runs it on its own database connection; no person calls it.
revoke execute on function private.send_report_reminders(integer) from public, anon, authenticated;

-- the Network's progress ----------------------------------------------------------------------------------------------

/**
 * For BDT and the Board: the KPIs of every accepted report, counted per period, centre (region, type) and capability
 * and status. The page groups them per capability, region and centre type, over time.
 */
create function public.list_network_progress()
returns table (period_id uuid, period_name text, covers_to date, centre_id uuid, region_code text, centre_type text,
               capability text, status public.kpi_progress, kpis integer)
language plpgsql stable security definer set search_path = '' as $$
begin
  if not (private.is_bdt() or private.is_board()) then perform private.fail('not_allowed', 'BDT and the Board only'); end if;
  return query
  select p.id, p.name, p.covers_to, c.id, c.region_code, c.centre_type, k.capability, k.status, count(*)::integer
  from public.progress_reports r
  join public.reporting_periods p on p.id = r.period_id
  join public.centres c on c.id = r.centre_id
  join public.progress_report_kpis k on k.report_id = r.id
  where r.status = 'accepted' and k.status is not null
  group by p.id, p.name, p.covers_to, c.id, c.region_code, c.centre_type, k.capability, k.status;
end
$$;
revoke execute on function public.list_network_progress() from public, anon;
grant execute on function public.list_network_progress() to authenticated;

/** Anyone: the KPI summary of a centre's latest accepted report (its public page). */
create function public.public_centre_progress(centre uuid)
returns table (report_id uuid, period_name text, covers_from date, covers_to date, kpi_key text, capability text,
               kpi_position integer, indicator text, unit text, baseline numeric, target numeric, target_date date,
               actual numeric, status public.kpi_progress)
language sql stable security definer set search_path = '' as $$
  with latest as (
    select r.id, p.name, p.covers_from, p.covers_to from public.progress_reports r
    join public.reporting_periods p on p.id = r.period_id
    where r.centre_id = public_centre_progress.centre and r.status = 'accepted'
    order by p.covers_to desc, r.reviewed_at desc limit 1)
  select l.id, l.name, l.covers_from, l.covers_to, k.kpi_key, k.capability, k.position, k.indicator, k.unit, k.baseline,
         k.target, k.target_date, k.actual, k.status
  from latest l join public.progress_report_kpis k on k.report_id = l.id
  order by k.capability, k.position
$$;
revoke execute on function public.public_centre_progress(uuid) from public;
grant execute on function public.public_centre_progress(uuid) to anon, authenticated;
