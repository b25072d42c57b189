-- People and their roles. A profile is created for every auth user; roles are granted, never self-assigned:
-- a self sign-up becomes an applicant, every other role is granted by a coordinator (or the seed).

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

create type public.app_role as enum ('applicant', 'reviewer', 'coordinator', 'board_member', 'board_chair');
comment on type public.app_role is 'What a person may do: DOMAIN.md "People (roles)". A person may hold several.';

-- profiles -------------------------------------------------------------------------------------------------------

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text not null,
  display_name text not null default '' check (char_length(display_name) <= 120),
  locale text not null default 'en' check (locale in ('ar', 'en', 'es', 'fr', 'ru', 'zh')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'One per auth user: how the person is named and which language they read.';
alter table public.profiles enable row level security;

-- Only the name and language are the person's to change; email follows auth.users.
revoke insert, update, delete on public.profiles from anon, authenticated;
grant update (display_name, locale) on public.profiles to authenticated;

-- role_grants ----------------------------------------------------------------------------------------------------

create table public.role_grants (
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.app_role not null,
  granted_by uuid references auth.users (id) on delete set null,
  granted_at timestamptz not null default now(),
  primary key (user_id, role)
);
comment on table public.role_grants is 'Which roles each person holds; written only by coordinators and the seed.';
alter table public.role_grants enable row level security;
create index role_grants_role_idx on public.role_grants (role, user_id);
revoke update on public.role_grants from anon, authenticated;
revoke all on public.role_grants from anon;

-- helpers --------------------------------------------------------------------------------------------------------

-- Security definer so policies on role_grants can ask about role_grants without recursing through RLS.
create function private.has_role(wanted public.app_role) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (
    select 1 from public.role_grants
    where user_id = (select auth.uid()) and role = wanted
  )
$$;
revoke execute on function private.has_role(public.app_role) from public;
grant execute on function private.has_role(public.app_role) to authenticated, service_role;

-- The caller's own roles, for the app's home page and navigation.
create function public.my_roles() returns setof public.app_role
language sql stable security invoker set search_path = '' as $$
  select role from public.role_grants where user_id = (select auth.uid()) order by role
$$;
revoke execute on function public.my_roles() from public, anon;
grant execute on function public.my_roles() to authenticated;

-- policies -------------------------------------------------------------------------------------------------------

create policy "People read their own profile" on public.profiles
  for select to authenticated using (id = (select auth.uid()));
create policy "Coordinators read every profile" on public.profiles
  for select to authenticated using ((select private.has_role('coordinator')));
create policy "People update their own profile" on public.profiles
  for update to authenticated using (id = (select auth.uid())) with check (id = (select auth.uid()));

create policy "People read their own roles" on public.role_grants
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Coordinators read every role grant" on public.role_grants
  for select to authenticated using ((select private.has_role('coordinator')));
create policy "Coordinators grant roles" on public.role_grants
  for insert to authenticated
  with check ((select private.has_role('coordinator')) and granted_by = (select auth.uid()));
create policy "Coordinators revoke roles" on public.role_grants
  for delete to authenticated using ((select private.has_role('coordinator')));

-- new users ------------------------------------------------------------------------------------------------------

create function private.handle_new_user() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (id, email, display_name, locale)
  values (
    new.id,
    coalesce(new.email, ''),
    left(coalesce(new.raw_user_meta_data ->> 'display_name', ''), 120),
    case when new.raw_user_meta_data ->> 'locale' in ('ar', 'en', 'es', 'fr', 'ru', 'zh')
         then new.raw_user_meta_data ->> 'locale' else 'en' end
  );
  -- People who sign up themselves are applicants; invited staff and board members get their roles from a coordinator.
  if new.invited_at is null then
    insert into public.role_grants (user_id, role) values (new.id, 'applicant');
  end if;
  return new;
end
$$;
revoke execute on function private.handle_new_user() from public;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_user();

create function private.handle_user_email_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.profiles set email = coalesce(new.email, ''), updated_at = now() where id = new.id;
  return new;
end
$$;
revoke execute on function private.handle_user_email_change() from public;

create trigger on_auth_user_email_changed
  after update of email on auth.users
  for each row when (old.email is distinct from new.email)
  execute function private.handle_user_email_change();

create function private.touch_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at = now();
  return new;
end
$$;
revoke execute on function private.touch_updated_at() from public;

create trigger profiles_touch_updated_at
  before update on public.profiles
  for each row execute function private.touch_updated_at();
