-- Issue 15, "The Board sees everything it decides on": applications take attachments (letters of support, host
-- agreement) with the same checks from the bytes as EoI uploads, and a Board member who may read a packet reads the
-- Expression of Interest behind it (every answer) and every attachment, the EoI's and the application's.

-- attachments: one write path for EoIs and applications ------------------------------------------------------------

/**
 * Stores a file for an EoI or an application after the checks every upload gets: at most 10 MB, and the type read
 * from the bytes (PDF, PNG or JPEG), never from the name or the browser's claim. The caller has locked the record
 * and checked the right to attach; the audit entry goes to that record.
 */
create function private.store_attachment(eoi uuid, application uuid, organisation uuid, file_name text,
                                         content_type text, content_base64 text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  bytes bytea;
  new_id uuid;
  stored_name text := left(btrim(coalesce(file_name, '')), 255);
begin
  if stored_name = '' then stored_name := 'attachment'; end if;
  bytes := decode(coalesce(content_base64, ''), 'base64');
  if octet_length(bytes) = 0 then perform private.fail('file_empty', 'the file is empty'); end if;
  if octet_length(bytes) > 10485760 then perform private.fail('file_too_large', 'attachments are at most 10 MB'); end if;
  if not ((content_type = 'application/pdf' and substring(bytes from 1 for 5) = '\x255044462d'::bytea)
       or (content_type = 'image/png' and substring(bytes from 1 for 8) = '\x89504e470d0a1a0a'::bytea)
       or (content_type = 'image/jpeg' and substring(bytes from 1 for 3) = '\xffd8ff'::bytea)) then
    perform private.fail('file_type_not_allowed', 'only PDF, PNG and JPEG files are accepted');
  end if;
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
revoke execute on function private.store_attachment(uuid, uuid, uuid, text, text, text) from public;

create or replace function public.add_attachment(eoi uuid, file_name text, content_type text, content_base64 text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  row public.eois;
begin
  perform private.require_user();
  row := private.lock_eoi(eoi);
  if not private.can_attach(eoi, null) then
    perform private.fail('not_allowed', 'files are attached by the applicant while the EoI is a draft or awaits clarification');
  end if;
  return private.store_attachment(eoi, null, row.organisation_id, file_name, content_type, content_base64);
end
$$;

/** The applicant attaches a letter of support, a host agreement or any other file while the application is theirs to edit. */
create function public.add_application_attachment(application uuid, file_name text, content_type text,
                                                  content_base64 text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  row public.centre_applications;
begin
  perform private.require_user();
  row := private.lock_application(application);
  if not private.can_attach(null, application) then
    perform private.fail('not_allowed', 'files are attached by the applicant while the application is a draft or has changes requested');
  end if;
  return private.store_attachment(null, application, row.organisation_id, file_name, content_type, content_base64);
end
$$;

create or replace function public.remove_attachment(attachment uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  target public.attachments;
  organisation uuid;
begin
  perform private.require_user();
  select * into target from public.attachments where id = attachment;
  if not found then perform private.fail('not_found', 'no such attachment'); end if;
  if target.eoi_id is not null then
    organisation := (private.lock_eoi(target.eoi_id)).organisation_id;
  else
    organisation := (private.lock_application(target.application_id)).organisation_id;
  end if;
  if not private.can_attach(target.eoi_id, target.application_id) then
    perform private.fail('not_allowed', 'files are removed by the applicant while the record is theirs to edit');
  end if;
  delete from public.attachments where id = attachment;
  perform private.audit(case when target.eoi_id is not null then 'eoi' else 'application' end,
                        coalesce(target.eoi_id, target.application_id), organisation, 'remove_attachment', null, null,
                        null, jsonb_build_object('attachment_id', attachment, 'file_name', target.file_name));
end
$$;

revoke execute on function public.add_application_attachment(uuid, text, text, text) from public, anon;
grant execute on function public.add_application_attachment(uuid, text, text, text) to authenticated;

-- the Board reads the EoI behind a packet ---------------------------------------------------------------------------

/**
 * A Board member reads an EoI when it led to an application whose packet they may see (declared "no conflict", and
 * never conflicted on any packet of that application: private.can_see_packet).
 */
create function private.board_sees_eoi(eoi uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select private.is_board() and exists (
    select 1 from public.centre_applications a join public.board_packets p on p.application_id = a.id
    where a.eoi_id = eoi and private.can_see_packet(p.id))
$$;
revoke execute on function private.board_sees_eoi(uuid) from public;
grant execute on function private.board_sees_eoi(uuid) to authenticated, service_role;

create policy "Board members read the EoI of a packet they may see" on public.eois
  for select to authenticated using ((select private.is_board()) and private.board_sees_eoi(id));

create or replace function private.can_read_attachment(attachment uuid) returns boolean
language sql stable security definer set search_path = '' as $$
  select exists (select 1 from public.attachments a where a.id = attachment
                 and (private.can_discuss(a.eoi_id, a.application_id, null)
                      or (a.eoi_id is not null and private.board_sees_eoi(a.eoi_id))))
$$;

create policy "Board members read the EoI attachments of a packet they may see" on public.attachments
  for select to authenticated using (eoi_id is not null and (select private.is_board()) and private.board_sees_eoi(eoi_id));
