-- The append-only audit trail, the notification outbox, and the helpers every transition function uses.

-- helpers --------------------------------------------------------------------------------------------------------

create function private.is_bdt() returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.role_grants
    where user_id = (select auth.uid()) and role in ('reviewer', 'coordinator')
  )
$$;

create function private.is_board() returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.role_grants
    where user_id = (select auth.uid()) and role in ('board_member', 'board_chair')
  )
$$;

create function private.my_roles() returns public.app_role[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(role order by role), '{}') from public.role_grants where user_id = (select auth.uid())
$$;

/**
 * Every refusal goes through here: the stable code is in HINT (the app translates it), the message is for logs.
 * not_allowed uses SQLSTATE 42501 so PostgREST answers 403; everything else is a 400.
 */
create function private.fail(code text, message text) returns void
language plpgsql set search_path = '' as $$
begin
  if code = 'not_allowed' then
    raise exception using errcode = '42501', message = message, hint = code;
  end if;
  raise exception using errcode = 'P0001', message = message, hint = code;
end
$$;

create function private.require_user() returns uuid
language plpgsql stable set search_path = '' as $$
declare
  caller uuid := (select auth.uid());
begin
  if caller is null then
    perform private.fail('not_allowed', 'sign in first');
  end if;
  return caller;
end
$$;

revoke execute on all functions in schema private from public;
grant execute on function private.is_bdt(), private.is_board(), private.my_roles(), private.fail(text, text),
  private.require_user() to authenticated, service_role;

-- audit_log ------------------------------------------------------------------------------------------------------

create table public.audit_log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default clock_timestamp(),
  -- No foreign key: deleting a user must never rewrite history (and an ON DELETE action would be an UPDATE).
  actor_id uuid,
  actor_roles public.app_role[] not null default '{}',
  entity_type text not null,
  entity_id uuid not null,
  -- Set when the organisation may read the entry (its own records' timeline); null for BDT- and board-internal ones.
  organisation_id uuid,
  action text not null,
  from_state text,
  to_state text,
  reason text,
  details jsonb not null default '{}'
);
comment on table public.audit_log is 'Who did what, when, from which state to which, and why. Append-only for every role.';
alter table public.audit_log enable row level security;
create index audit_log_entity_idx on public.audit_log (entity_type, entity_id, id);
create index audit_log_organisation_idx on public.audit_log (organisation_id, id) where organisation_id is not null;

revoke insert, update, delete, truncate on public.audit_log from anon, authenticated, service_role;

/** Refuses any change to an immutable table; the trigger passes the message and the stable code as arguments. */
create function private.forbid_change() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception using errcode = '42501', message = tg_argv[0], hint = tg_argv[1];
end
$$;
create trigger audit_log_no_update before update or delete on public.audit_log
  for each row execute function private.forbid_change('the audit trail is append-only', 'audit_append_only');
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.forbid_change('the audit trail is append-only', 'audit_append_only');

create function private.audit(
  entity_type text, entity_id uuid, organisation_id uuid, action text,
  from_state text, to_state text, reason text, details jsonb default '{}'
) returns void
language sql security definer set search_path = '' as $$
  insert into public.audit_log (actor_id, actor_roles, entity_type, entity_id, organisation_id, action, from_state,
                                to_state, reason, details)
  values ((select auth.uid()), private.my_roles(), entity_type, entity_id, organisation_id, action, from_state,
          to_state, nullif(btrim(reason), ''), coalesce(details, '{}'))
$$;
revoke execute on function private.audit(text, uuid, uuid, text, text, text, text, jsonb) from public;

-- notifications --------------------------------------------------------------------------------------------------

create table public.notifications (
  id bigint generated always as identity primary key,
  recipient_id uuid not null references auth.users (id) on delete cascade,
  kind text not null,
  entity_type text not null,
  entity_id uuid not null,
  payload jsonb not null default '{}',
  created_at timestamptz not null default now(),
  read_at timestamptz,
  -- The mailer marks what it has sent, so a crash between commit and send resends instead of losing the mail.
  emailed_at timestamptz
);
comment on table public.notifications is 'The outbox: one row per person to notify; shown in the app and mailed by a job.';
alter table public.notifications enable row level security;
create index notifications_recipient_idx on public.notifications (recipient_id, id desc);
create index notifications_unsent_idx on public.notifications (id) where emailed_at is null;

revoke insert, update, delete, truncate on public.notifications from anon, authenticated;
grant update (read_at) on public.notifications to authenticated;

create policy "People read their own notifications" on public.notifications
  for select to authenticated using (recipient_id = (select auth.uid()));
create policy "People mark their own notifications read" on public.notifications
  for update to authenticated using (recipient_id = (select auth.uid())) with check (recipient_id = (select auth.uid()));

create function private.notify(recipients uuid[], kind text, entity_type text, entity_id uuid, payload jsonb default '{}')
returns void
language sql security definer set search_path = '' as $$
  insert into public.notifications (recipient_id, kind, entity_type, entity_id, payload)
  select distinct recipient, kind, entity_type, entity_id, coalesce(payload, '{}')
  from unnest(recipients) as recipient
  where recipient is not null
$$;
revoke execute on function private.notify(uuid[], text, text, uuid, jsonb) from public;

create function private.users_with_role(wanted public.app_role) returns uuid[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(user_id), '{}') from public.role_grants where role = wanted
$$;
revoke execute on function private.users_with_role(public.app_role) from public;
