-- Issue 10: one write path for everything audited. No table that a transition function writes may be written
-- directly by anon or authenticated; tests/integration/direct-writes.test.ts checks the whole schema from the
-- catalog. What stays writable under RLS is listed there with its reason (draft content saved as you type, a
-- notification's read mark, a profile's name and language, BDT notes, discussion posts): never a state column.

-- Privileges nobody gets through the API ---------------------------------------------------------------------------
-- TRUNCATE bypasses RLS, and anonymous visitors write nothing. Supabase's default grants give both on every table.

do $revoke$
declare
  t record;
begin
  for t in
    select c.relname from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
  loop
    execute format('revoke insert, update, delete, truncate, references, trigger on public.%I from anon', t.relname);
    execute format('revoke truncate, references, trigger on public.%I from authenticated', t.relname);
  end loop;
end
$revoke$;

-- Reference data is written by migrations only.
revoke insert, update, delete on public.centre_types, public.strategic_capabilities, public.itu_regions,
  public.regional_initiatives, public.kigali_priorities, public.countries from authenticated;

-- attachments --------------------------------------------------------------------------------------------------------
-- add_attachment checks the bytes (the type is read from the content) and writes the audit entry; a direct insert
-- skipped both (an HTML file stored as application/pdf was then served back).

drop policy "Applicants attach files to records they may edit" on public.attachments;
drop policy "Uploaders store the bytes of their new attachment" on public.attachment_contents;
revoke insert, update, delete on public.attachments, public.attachment_contents from authenticated;

-- calls --------------------------------------------------------------------------------------------------------------
-- open_call, close_call and extend_call_deadline own a call's state and deadline; creating and editing a call were
-- direct writes with no audit entry (a deadline moved by an edit left no trace). Both are transitions now.

drop policy "Coordinators create calls" on public.calls;
drop policy "Coordinators edit calls" on public.calls;
revoke insert, update, delete on public.calls from authenticated;

/** Refuses unknown centre type codes in a call's allowed types (the column has no foreign key: it is an array). */
create function private.check_call_input(title text, opens_at timestamptz, closes_at timestamptz,
                                         allowed_centre_types text[]) returns void
language plpgsql stable security definer set search_path = '' as $$
begin
  if coalesce(btrim(title), '') = '' or opens_at is null or closes_at is null then
    perform private.fail('invalid_input', 'a call needs a title, an opening and a deadline');
  end if;
  if closes_at <= opens_at then perform private.fail('invalid_deadline', 'the deadline must be after the opening'); end if;
  if exists (select 1 from unnest(coalesce(allowed_centre_types, '{}')) code
             where code is null or code not in (select t.code from public.centre_types t)) then
    perform private.fail('invalid_reference', 'unknown centre type');
  end if;
end
$$;
revoke execute on function private.check_call_input(text, timestamptz, timestamptz, text[]) from public;

/** A coordinator creates a call, as a draft. */
create function public.create_call(title text, opens_at timestamptz, closes_at timestamptz, description text default '',
                                   allowed_centre_types text[] default '{}') returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  new_id uuid;
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators create calls'); end if;
  perform private.check_call_input(title, opens_at, closes_at, allowed_centre_types);
  insert into public.calls (title, description, opens_at, closes_at, allowed_centre_types)
  values (btrim(title), coalesce(description, ''), opens_at, closes_at, coalesce(allowed_centre_types, '{}'))
  returning id into new_id;
  perform private.audit('call', new_id, null, 'create_call', null, 'draft', null,
                        jsonb_build_object('title', btrim(title), 'opens_at', opens_at, 'closes_at', closes_at));
  return new_id;
end
$$;

/** A coordinator edits a call's text, window and allowed types; the audit entry keeps the window before and after. */
create function public.update_call(call uuid, title text, opens_at timestamptz, closes_at timestamptz,
                                   description text default '', allowed_centre_types text[] default '{}') returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.calls;
begin
  perform private.require_user();
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'only coordinators edit calls'); end if;
  perform private.check_call_input(title, opens_at, closes_at, allowed_centre_types);
  select * into row from public.calls c where c.id = call for update;
  if not found then perform private.fail('not_found', 'no such call'); end if;
  update public.calls c
  set title = btrim(update_call.title), description = coalesce(update_call.description, ''),
      opens_at = update_call.opens_at, closes_at = update_call.closes_at,
      allowed_centre_types = coalesce(update_call.allowed_centre_types, '{}')
  where c.id = call;
  perform private.audit('call', call, null, 'edit_call', row.status::text, row.status::text, null,
                        jsonb_build_object('title', btrim(title),
                                           'opens_at', jsonb_build_array(row.opens_at, opens_at),
                                           'closes_at', jsonb_build_array(row.closes_at, closes_at),
                                           'allowed_centre_types', coalesce(allowed_centre_types, '{}')));
end
$$;

-- organisations ------------------------------------------------------------------------------------------------------
-- create_organisation writes organisations; a member's edit of the institution's details is audited the same way.

drop policy "Members update their organisation" on public.organisations;
revoke insert, update, delete on public.organisations, public.organisation_members from authenticated;

/** A member edits the institution's details (name, kind, country, website, contact address). */
create function public.update_organisation(organisation uuid, name text, kind public.organisation_kind, country_code text,
                                           website text default null, contact_email text default null) returns void
language plpgsql security definer set search_path = '' as $$
declare
  row public.organisations;
begin
  perform private.require_user();
  if not private.is_member(organisation) then perform private.fail('not_allowed', 'only members edit their institution'); end if;
  if coalesce(btrim(name), '') = '' or kind is null or country_code is null then
    perform private.fail('invalid_input', 'an institution needs a name, a kind and a country');
  end if;
  if not exists (select 1 from public.countries c where c.code = upper(update_organisation.country_code)) then
    perform private.fail('invalid_reference', 'unknown country');
  end if;
  select * into row from public.organisations o where o.id = organisation for update;
  if not found then perform private.fail('not_found', 'no such institution'); end if;
  update public.organisations o
  set name = btrim(update_organisation.name), kind = update_organisation.kind,
      country_code = upper(update_organisation.country_code),
      website = nullif(btrim(update_organisation.website), ''), contact_email = nullif(btrim(update_organisation.contact_email), '')
  where o.id = organisation;
  perform private.audit('organisation', organisation, organisation, 'edit_organisation', null, null, null,
                        jsonb_build_object('name', jsonb_build_array(row.name, btrim(name))));
end
$$;

revoke execute on function public.create_call(text, timestamptz, timestamptz, text, text[]),
  public.update_call(uuid, text, timestamptz, timestamptz, text, text[]),
  public.update_organisation(uuid, text, public.organisation_kind, text, text, text) from public, anon;
grant execute on function public.create_call(text, timestamptz, timestamptz, text, text[]),
  public.update_call(uuid, text, timestamptz, timestamptz, text, text[]),
  public.update_organisation(uuid, text, public.organisation_kind, text, text, text) to authenticated;

-- BDT notes and discussion posts ----------------------------------------------------------------------------------
-- Inserted under RLS (no transition function writes them), but only the columns a person writes: the identity and
-- the time are the database's, so a post's date cannot be forged (the table-level grant allowed created_at).

-- Only where the table-wide grant is still there: a migration that closed direct inserts keeps them closed.
do $columns$
begin
  if has_table_privilege('authenticated', 'public.eoi_internal_notes', 'INSERT') then
    revoke insert on public.eoi_internal_notes from authenticated;
    grant insert (eoi_id, body) on public.eoi_internal_notes to authenticated;
  end if;
  if has_table_privilege('authenticated', 'public.comments', 'INSERT') then
    revoke insert on public.comments from authenticated;
    grant insert (eoi_id, application_id, packet_id, parent_id, author_id, body) on public.comments to authenticated;
  end if;
end
$columns$;
