-- Applicants invite colleagues to act for their organisation. A colleague with an account joins at once; an
-- address without one is remembered and joins when its owner confirms that address (so nobody can claim an
-- invitation for an address they do not own).

create table public.organisation_invitations (
  organisation_id uuid not null references public.organisations (id) on delete cascade,
  email extensions.citext not null check (char_length(email) between 3 and 254),
  invited_by uuid references auth.users (id) on delete set null,
  invited_at timestamptz not null default now(),
  accepted_at timestamptz,
  primary key (organisation_id, email)
);
comment on table public.organisation_invitations is 'Colleagues invited to act for an organisation, by email address.';
alter table public.organisation_invitations enable row level security;
create index organisation_invitations_email_idx on public.organisation_invitations (email) where accepted_at is null;
revoke insert, update, delete, truncate on public.organisation_invitations from anon, authenticated;

create policy "Members see their organisation's invitations" on public.organisation_invitations
  for select to authenticated using (organisation_id = any ((select private.my_organisation_ids())::uuid[]));

/** Returns 'added' when the colleague already has an applicant account, 'invited' otherwise. */
create function public.invite_colleague(organisation uuid, email text) returns text
language plpgsql security definer set search_path = '' as $$
declare
  caller uuid := private.require_user();
  address text := lower(btrim(email));
  colleague uuid;
begin
  if not private.is_member(organisation) then perform private.fail('not_allowed', 'only members invite colleagues'); end if;
  if address !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or char_length(address) > 254 then
    perform private.fail('invalid_input', 'not an email address');
  end if;
  select u.id into colleague from auth.users u
  where lower(u.email) = address and u.email_confirmed_at is not null
    and exists (select 1 from public.role_grants g where g.user_id = u.id and g.role = 'applicant');
  if colleague is not null then
    insert into public.organisation_members (organisation_id, user_id, added_by) values (organisation, colleague, caller)
    on conflict do nothing;
    perform private.audit('organisation', organisation, organisation, 'add_member', null, null, null,
                          jsonb_build_object('user_id', colleague, 'email', address));
    perform private.notify(array[colleague], 'organisation_joined', 'organisation', organisation);
    return 'added';
  end if;
  insert into public.organisation_invitations (organisation_id, email, invited_by) values (organisation, address, caller)
  on conflict on constraint organisation_invitations_pkey do update set invited_by = caller, invited_at = now(), accepted_at = null;
  perform private.audit('organisation', organisation, organisation, 'invite_colleague', null, null, null,
                        jsonb_build_object('email', address));
  return 'invited';
end
$$;
revoke execute on function public.invite_colleague(uuid, text) from public, anon;

create function private.accept_organisation_invitations() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  invitation record;
begin
  for invitation in
    update public.organisation_invitations set accepted_at = now()
    where email = lower(new.email) and accepted_at is null
    returning organisation_id, invited_by
  loop
    insert into public.organisation_members (organisation_id, user_id, added_by)
    values (invitation.organisation_id, new.id, invitation.invited_by) on conflict do nothing;
    perform private.audit('organisation', invitation.organisation_id, invitation.organisation_id, 'accept_invitation',
                          null, null, null, jsonb_build_object('user_id', new.id));
  end loop;
  return new;
end
$$;
revoke execute on function private.accept_organisation_invitations() from public;

create trigger on_auth_user_confirmed_accept_invitations
  after insert or update of email_confirmed_at on auth.users
  for each row when (new.email_confirmed_at is not null and new.email is not null)
  execute function private.accept_organisation_invitations();
