-- Real-time co-editing of action plans (issue 6): the Yjs document's durable storage, anchored comment threads,
-- restoring a version, and the signal that tells the collaboration server someone's rights to a plan changed.

-- Yjs storage ----------------------------------------------------------------------------------------------------
-- Only the collaboration server touches these (over its own database connection); the API roles never do.

create table private.plan_updates (
  id bigint generated always as identity primary key,
  plan_id uuid not null references public.action_plans (id) on delete cascade,
  "update" bytea not null,
  created_at timestamptz not null default now()
);
comment on table private.plan_updates is
  'Yjs updates of a plan, appended (group-committed) before the server broadcasts them; folded into snapshots.';
alter table private.plan_updates enable row level security;
create index plan_updates_plan_idx on private.plan_updates (plan_id, id);

create table private.plan_snapshots (
  plan_id uuid primary key references public.action_plans (id) on delete cascade,
  state bytea not null,
  -- The last plan_updates.id folded into this snapshot; later updates are applied on top when loading.
  through_update_id bigint not null,
  compacted_at timestamptz not null default now()
);
comment on table private.plan_snapshots is 'A plan''s compacted Yjs state, so documents load fast.';
alter table private.plan_snapshots enable row level security;

revoke all on private.plan_updates, private.plan_snapshots from public, anon, authenticated, service_role;

/**
 * What the collaboration server asks for each connection: the person's access to the plan, computed by the same
 * private.plan_access() that RLS uses, evaluated as that person; null when the account is deactivated.
 */
create function private.collab_plan_access(plan uuid, person uuid) returns public.plan_access_level
language plpgsql volatile security definer set search_path = '' as $$
begin
  if not exists (select 1 from auth.users u where u.id = person and (u.banned_until is null or u.banned_until < now())) then
    return null;
  end if;
  perform set_config('request.jwt.claims', json_build_object('sub', person, 'role', 'authenticated')::text, true);
  return private.plan_access(plan);
end
$$;
revoke execute on function private.collab_plan_access(uuid, uuid) from public, anon, authenticated, service_role;

-- Rights-change signal ---------------------------------------------------------------------------------------------
-- A trigger on every row that private.plan_access() reads says whose rights may have changed, so the collaboration
-- server re-checks those sockets at once (issue 6: within 2 seconds) instead of polling.

-- Trigger arguments: the subject kind ("user", "application", "review") and the column holding its id.
create function private.signal_plan_access_change() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  row jsonb := to_jsonb(case when tg_op = 'DELETE' then old else new end);
begin
  perform pg_notify('plan_access_changed', tg_argv[0] || ':' || (row ->> tg_argv[1]));
  return null;
end
$$;
revoke execute on function private.signal_plan_access_change() from public;

create trigger role_grants_signal_plan_access after insert or delete on public.role_grants
  for each row execute function private.signal_plan_access_change('user', 'user_id');
create trigger organisation_members_signal_plan_access after insert or delete on public.organisation_members
  for each row execute function private.signal_plan_access_change('user', 'user_id');
create trigger conflict_declarations_signal_plan_access after insert or delete on public.conflict_declarations
  for each row execute function private.signal_plan_access_change('user', 'member_id');
create trigger users_signal_plan_access after update of banned_until or delete on auth.users
  for each row execute function private.signal_plan_access_change('user', 'id');
create trigger centre_applications_signal_plan_access after update of status on public.centre_applications
  for each row when (old.status is distinct from new.status) execute function private.signal_plan_access_change('application', 'id');
create trigger board_reviews_signal_plan_access after update of status, allow_plan_editing on public.board_reviews
  for each row execute function private.signal_plan_access_change('review', 'id');

-- plan_comments ------------------------------------------------------------------------------------------------------

create table public.plan_comments (
  id bigint generated always as identity primary key,
  plan_id uuid not null references public.action_plans (id) on delete cascade,
  parent_id bigint references public.plan_comments (id) on delete cascade,
  author_id uuid references auth.users (id) on delete set null,
  body text not null check (char_length(btrim(body)) between 1 and 10000),
  -- Yjs relative positions (JSON) of the commented range, so the anchor moves with the text around it.
  anchor jsonb,
  quote text check (char_length(quote) <= 2000),
  resolved_at timestamptz,
  resolved_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  check ((parent_id is null) = (anchor is not null))
);
comment on table public.plan_comments is 'Comment threads anchored to a range of an action plan; replies have a parent.';
alter table public.plan_comments enable row level security;
create index plan_comments_plan_idx on public.plan_comments (plan_id, id);
create index plan_comments_parent_idx on public.plan_comments (parent_id) where parent_id is not null;
revoke insert, update, delete, truncate on public.plan_comments from anon, authenticated;

create policy "People with access to a plan read its comments" on public.plan_comments
  for select to authenticated using (private.plan_access(plan_id) is not null);

/** Commenters and editors may comment (and resolve threads). */
create function private.may_comment_on_plan(plan uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce(private.plan_access(plan) in ('comment', 'edit'), false)
$$;

/** An audit entry about a plan, filed under its applicant organisation like the application's own entries. */
create function private.audit_plan(plan uuid, action text, reason text, details jsonb) returns void
language sql security definer set search_path = '' as $$
  select private.audit('plan', plan, a.organisation_id, action, null, null, reason, details)
  from public.action_plans p join public.centre_applications a on a.id = p.application_id where p.id = plan
$$;
revoke execute on function private.may_comment_on_plan(uuid), private.audit_plan(uuid, text, text, jsonb) from public;

/** Starts a thread on a range (anchor) or replies to one (parent); commenters and editors only. */
create function public.add_plan_comment(plan uuid, body text, anchor jsonb default null, quote text default null,
                                        parent bigint default null) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  thread public.plan_comments;
  new_id bigint;
begin
  if not private.may_comment_on_plan(plan) then
    perform private.fail('not_allowed', 'you may not comment on this plan');
  end if;
  if coalesce(btrim(body), '') = '' then perform private.fail('reason_required', 'write the comment'); end if;
  if parent is not null then
    select * into thread from public.plan_comments c where c.id = parent and c.plan_id = plan and c.parent_id is null;
    if not found then perform private.fail('not_found', 'no such thread'); end if;
  elsif anchor is null then
    perform private.fail('invalid_input', 'select the text to comment on');
  end if;
  insert into public.plan_comments (plan_id, parent_id, author_id, body, anchor, quote)
  values (plan, parent, caller, btrim(body), case when parent is null then anchor end,
          case when parent is null then left(quote, 2000) end)
  returning id into new_id;
  perform private.audit_plan(plan, case when parent is null then 'start_comment_thread' else 'reply_comment' end,
                             null, jsonb_build_object('comment_id', new_id));
  return new_id;
end
$$;

/** Resolves a thread, or reopens it. */
create function public.resolve_plan_comment(comment bigint, resolved boolean) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  thread public.plan_comments;
begin
  select * into thread from public.plan_comments c where c.id = comment and c.parent_id is null for update;
  if not found then perform private.fail('not_found', 'no such thread'); end if;
  if not private.may_comment_on_plan(thread.plan_id) then
    perform private.fail('not_allowed', 'you may not resolve comments on this plan');
  end if;
  update public.plan_comments
  set resolved_at = case when resolved then now() end, resolved_by = case when resolved then caller end
  where id = comment;
  perform private.audit_plan(thread.plan_id, case when resolved then 'resolve_comment_thread' else 'reopen_comment_thread' end,
                             null, jsonb_build_object('comment_id', comment));
end
$$;

/**
 * An editor restores a version: the audit entry is written here, and the app then applies the version's content
 * to the live document as a new change (history is never rewritten).
 */
create function public.restore_plan_version(version uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  row public.plan_versions;
begin
  perform private.require_user();
  select * into row from public.plan_versions v where v.id = version;
  if not found or private.plan_access(row.plan_id) is null then perform private.fail('not_found', 'no such version'); end if;
  if private.plan_access(row.plan_id) is distinct from 'edit' then
    perform private.fail('not_allowed', 'only editors restore versions');
  end if;
  perform private.audit_plan(row.plan_id, 'restore_version', row.name, jsonb_build_object('version_id', version));
  return row.content;
end
$$;

revoke execute on function public.add_plan_comment(uuid, text, jsonb, text, bigint),
  public.resolve_plan_comment(bigint, boolean), public.restore_plan_version(uuid) from public, anon;
grant execute on function public.add_plan_comment(uuid, text, jsonb, text, bigint),
  public.resolve_plan_comment(bigint, boolean), public.restore_plan_version(uuid) to authenticated;

/** Names of the people who wrote a plan's versions and comments, for whoever may see the plan. */
create function public.plan_people(plan uuid) returns table (id uuid, name text)
language sql stable security definer set search_path = '' as $$
  select p.id, coalesce(nullif(btrim(p.display_name), ''), split_part(p.email, '@', 1))
  from public.profiles p
  where private.plan_access(plan) is not null and p.id in (
    select v.created_by from public.plan_versions v where v.plan_id = plan
    union select c.author_id from public.plan_comments c where c.plan_id = plan
    union select c.resolved_by from public.plan_comments c where c.plan_id = plan)
$$;
revoke execute on function public.plan_people(uuid) from public, anon;
grant execute on function public.plan_people(uuid) to authenticated;
