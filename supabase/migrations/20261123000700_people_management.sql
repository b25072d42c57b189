-- Coordinators manage people: roles are granted and revoked, and accounts deactivated, only through these
-- functions, each audited. The direct role_grants policies of the first migration are replaced by them.

drop policy "Coordinators grant roles" on public.role_grants;
drop policy "Coordinators revoke roles" on public.role_grants;
revoke insert, delete on public.role_grants from authenticated;

create function public.grant_role(person uuid, role public.app_role, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
begin
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators grant roles'); end if;
  if not exists (select 1 from auth.users where id = person) then perform private.fail('not_found', 'no such person'); end if;
  if exists (select 1 from public.role_grants g where g.user_id = person and g.role = grant_role.role) then return; end if;
  insert into public.role_grants (user_id, role, granted_by) values (person, grant_role.role, caller);
  perform private.audit('person', person, null, 'grant_role', null, grant_role.role::text, reason);
  perform private.notify(array[person], 'role_granted', 'person', person, jsonb_build_object('role', grant_role.role));
end
$$;

create function public.revoke_role(person uuid, role public.app_role, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators revoke roles'); end if;
  -- Keep the network administrable: the last coordinator cannot be removed.
  if revoke_role.role = 'coordinator' and (select count(*) from public.role_grants g where g.role = 'coordinator') <= 1 then
    perform private.fail('last_coordinator', 'at least one coordinator must remain');
  end if;
  delete from public.role_grants g where g.user_id = person and g.role = revoke_role.role;
  if not found then perform private.fail('not_found', 'the person does not hold this role'); end if;
  perform private.audit('person', person, null, 'revoke_role', revoke_role.role::text, null, reason);
end
$$;

/** Deactivation bans the account and ends its sessions in one transaction; reactivation lifts the ban. */
create function public.set_account_active(person uuid, active boolean, reason text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
begin
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators deactivate accounts'); end if;
  if person = caller and not active then perform private.fail('not_allowed', 'you cannot deactivate your own account'); end if;
  update auth.users set banned_until = case when active then null else 'infinity'::timestamptz end, updated_at = now()
  where id = person;
  if not found then perform private.fail('not_found', 'no such person'); end if;
  if not active then delete from auth.sessions where user_id = person; end if;
  perform private.audit('person', person, null, case when active then 'reactivate' else 'deactivate' end,
                        case when active then 'inactive' else 'active' end, case when active then 'active' else 'inactive' end, reason);
end
$$;

/** Everyone with an account, their roles and whether they may sign in: the coordinator's people page. */
create function public.people_directory()
returns table (id uuid, email text, display_name text, roles public.app_role[], active boolean, invited boolean, created_at timestamptz)
language plpgsql stable security definer set search_path = '' as $$
begin
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'coordinators only'); end if;
  return query
    select p.id, p.email, p.display_name,
           coalesce((select array_agg(g.role order by g.role) from public.role_grants g where g.user_id = p.id), '{}'),
           coalesce(u.banned_until is null or u.banned_until < now(), true), u.invited_at is not null, p.created_at
    from public.profiles p join auth.users u on u.id = p.id
    order by p.display_name, p.email;
end
$$;

revoke execute on function public.grant_role(uuid, public.app_role, text), public.revoke_role(uuid, public.app_role, text),
  public.set_account_active(uuid, boolean, text), public.people_directory() from public, anon;
