-- Issue 10: a deactivated account is refused by the database at once, not when its access token expires.
-- Deactivation bans the auth user and ends its sessions, but an access token issued before stays valid at
-- /rest/v1 until it expires. Every layer now asks whether the caller's account is still active:
--   1. private.require_user(), which every transition function calls first;
--   2. the permission helpers (has_role, is_bdt, is_board, is_member, my_organisation_ids), so the security-definer
--      reads that do not call require_user (agenda, people, quorum, plan access) answer nothing;
--   3. a restrictive policy on every table in public, ANDed with every permissive policy;
--   4. PostgREST's pre-request hook, which refuses the whole request before it runs (a supplement that also covers
--      tables and functions added later).

/** False only when a signed-in caller's account is banned (deactivated) or deleted; anonymous callers are active. */
create function private.caller_is_active() returns boolean
language sql stable security definer set search_path = '' as $$
  select (select auth.uid()) is null or exists (
    select 1 from auth.users u
    where u.id = (select auth.uid()) and (u.banned_until is null or u.banned_until <= now()) and u.deleted_at is null)
$$;
comment on function private.caller_is_active() is
  'Whether the caller may act at all: a deactivated (banned) or deleted account may not, whatever its token says.';
revoke execute on function private.caller_is_active() from public;
grant execute on function private.caller_is_active() to anon, authenticated, service_role;

/** Raises the stable refusal for a deactivated caller: 403 at REST, "account_deactivated" in HINT. */
create function private.require_active() returns void
language plpgsql stable set search_path = '' as $$
begin
  if not private.caller_is_active() then
    raise exception using errcode = '42501', message = 'this account has been deactivated', hint = 'account_deactivated';
  end if;
end
$$;
revoke execute on function private.require_active() from public;
grant execute on function private.require_active() to anon, authenticated, service_role;

-- 1. The caller check of every transition function ------------------------------------------------------------

create or replace function private.require_user() returns uuid
language plpgsql stable set search_path = '' as $$
declare
  caller uuid := (select auth.uid());
begin
  if caller is null then
    perform private.fail('not_allowed', 'sign in first');
  end if;
  perform private.require_active();
  return caller;
end
$$;

-- 2. Permission helpers: a deactivated caller holds no role and belongs to no organisation ----------------------

create or replace function private.has_role(wanted public.app_role) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.role_grants
    where user_id = (select auth.uid()) and role = wanted
  ) and private.caller_is_active()
$$;

create or replace function private.is_bdt() returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.role_grants
    where user_id = (select auth.uid()) and role in ('reviewer', 'coordinator')
  ) and private.caller_is_active()
$$;

create or replace function private.is_board() returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.role_grants
    where user_id = (select auth.uid()) and role in ('board_member', 'board_chair')
  ) and private.caller_is_active()
$$;

create or replace function private.is_member(organisation uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.organisation_members
    where organisation_id = organisation and user_id = (select auth.uid())
  ) and private.caller_is_active()
$$;

create or replace function private.my_organisation_ids() returns uuid[]
language sql stable security definer set search_path = '' as $$
  select case when private.caller_is_active() then (
    select coalesce(array_agg(organisation_id), '{}') from public.organisation_members where user_id = (select auth.uid()))
  else '{}'::uuid[] end
$$;

-- The public directory answers anyone, but not a deactivated account's token (it must not act at all).
create or replace function public.list_directory_centres()
returns table (id uuid, name text, host_institution text, country_code text, region_code text, centre_type text,
               scope public.centre_scope, capabilities text[], plan_hash text, designated_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select c.id, c.name, o.name, c.country_code::text, c.region_code, c.centre_type, c.scope, c.capabilities, c.plan_hash,
         c.designated_at
  from public.centres c join public.organisations o on o.id = c.organisation_id
  where private.caller_is_active()
$$;

create or replace function public.get_centre_plan(centre uuid)
returns table (version_id uuid, content jsonb, content_hash text, approved_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select v.id, v.content, v.content_hash, v.created_at
  from public.centres c join public.plan_versions v on v.id = c.approved_plan_version_id
  where c.id = centre and private.caller_is_active()
$$;

-- 3. A restrictive policy on every table: ANDed with every permissive policy, for every command ---------------
-- Evaluated once per statement ((select ...)); anonymous requests are not concerned (they never had an account).

do $policies$
declare
  t record;
begin
  for t in
    select c.relname from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    order by c.relname
  loop
    execute format('alter table public.%I enable row level security', t.relname);
    execute format(
      'create policy "Deactivated accounts read and write nothing" on public.%I as restrictive for all to authenticated '
      'using ((select private.caller_is_active())) with check ((select private.caller_is_active()))', t.relname);
  end loop;
end
$policies$;

-- 4. PostgREST's pre-request hook --------------------------------------------------------------------------------
-- PostgREST calls it as the request's role, after verifying the JWT and before the request's own query, so a
-- deactivated account's token is refused on its very next request, whatever it asks for. Its own schema, so that
-- anon needs no usage right on private.

create schema if not exists api_hooks;
revoke all on schema api_hooks from public;
grant usage on schema api_hooks to anon, authenticated, service_role;

create function api_hooks.check_request() returns void
language plpgsql stable security definer set search_path = '' as $$
begin
  perform private.require_active();
end
$$;
comment on function api_hooks.check_request() is 'PostgREST db-pre-request: refuses every request of a deactivated account.';
revoke execute on function api_hooks.check_request() from public;
grant execute on function api_hooks.check_request() to anon, authenticated, service_role;

-- In-database configuration (PostgREST's db-config, on by default; Supabase documents this same statement). Where
-- the migrating role may not alter authenticator, the layers above still refuse everything; say so and go on.
do $hook$
begin
  alter role authenticator set pgrst.db_pre_request = 'api_hooks.check_request';
exception when insufficient_privilege or undefined_object then
  raise warning 'PostgREST pre-request hook not set (%); policies and functions still refuse deactivated accounts', sqlerrm;
end
$hook$;
notify pgrst, 'reload config';

-- set_account_active: every argument checked, nothing half-done -------------------------------------------------

/**
 * Deactivation bans the account and ends its sessions in one transaction; reactivation lifts the ban. A null or
 * otherwise invalid argument is refused (invalid_input) with nothing changed; setting the state an account already
 * has changes nothing and writes no audit entry (deactivating again still ends any session left).
 */
create or replace function public.set_account_active(person uuid, active boolean, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  banned timestamptz;
  was_active boolean;
begin
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators deactivate accounts'); end if;
  if person is null then perform private.fail('invalid_input', 'say whose account to change'); end if;
  if active is null then perform private.fail('invalid_input', 'active must be true or false'); end if;
  if char_length(reason) > 20000 then perform private.fail('invalid_input', 'the reason is too long'); end if;
  select u.banned_until into banned from auth.users u where u.id = person for update;
  if not found then perform private.fail('not_found', 'no such person'); end if;
  if person = caller and not active then perform private.fail('not_allowed', 'you cannot deactivate your own account'); end if;
  was_active := banned is null or banned <= now();
  if not active then delete from auth.sessions where user_id = person; end if;
  if was_active = active then return; end if;
  update auth.users set banned_until = case when active then null else 'infinity'::timestamptz end, updated_at = now()
  where id = person;
  perform private.audit('person', person, null, case when active then 'reactivate' else 'deactivate' end,
                        case when active then 'inactive' else 'active' end, case when active then 'active' else 'inactive' end, reason);
end
$$;
