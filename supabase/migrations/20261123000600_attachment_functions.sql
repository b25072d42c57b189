-- Attachments are stored with their bytes in one transaction, and audited like every other change an applicant
-- makes to a submitted record's file.

create function public.add_attachment(eoi uuid, file_name text, content_type text, content_base64 text) returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  row public.eois;
  bytes bytea;
  new_id uuid;
begin
  perform private.require_user();
  row := private.lock_eoi(eoi);
  if not private.can_attach(eoi, null) then
    perform private.fail('not_allowed', 'files are attached by the applicant while the EoI is a draft or awaits clarification');
  end if;
  bytes := decode(content_base64, 'base64');
  if octet_length(bytes) = 0 or octet_length(bytes) > 10485760 then
    perform private.fail('file_too_large', 'attachments are at most 10 MB');
  end if;
  -- The real type is read from the bytes, never from the name the browser sent.
  if not ((content_type = 'application/pdf' and substring(bytes from 1 for 5) = '\x255044462d'::bytea)
       or (content_type = 'image/png' and substring(bytes from 1 for 8) = '\x89504e470d0a1a0a'::bytea)
       or (content_type = 'image/jpeg' and substring(bytes from 1 for 3) = '\xffd8ff'::bytea)) then
    perform private.fail('file_type_not_allowed', 'only PDF, PNG and JPEG files are accepted');
  end if;
  insert into public.attachments (eoi_id, file_name, content_type, size_bytes, sha256, uploaded_by)
  values (eoi, left(btrim(file_name), 255), content_type, octet_length(bytes), encode(extensions.digest(bytes, 'sha256'), 'hex'),
          (select auth.uid()))
  returning id into new_id;
  insert into public.attachment_contents (attachment_id, content) values (new_id, bytes);
  perform private.audit('eoi', eoi, row.organisation_id, 'add_attachment', null, null, null,
                        jsonb_build_object('attachment_id', new_id, 'file_name', left(btrim(file_name), 255)));
  return new_id;
end
$$;

create function public.remove_attachment(attachment uuid) returns void
language plpgsql security definer set search_path = '' as $$
declare
  target public.attachments;
  row public.eois;
begin
  perform private.require_user();
  select * into target from public.attachments where id = attachment;
  if not found or target.eoi_id is null then perform private.fail('not_found', 'no such attachment'); end if;
  row := private.lock_eoi(target.eoi_id);
  if not private.can_attach(target.eoi_id, null) then
    perform private.fail('not_allowed', 'files are removed by the applicant while the EoI is theirs to edit');
  end if;
  delete from public.attachments where id = attachment;
  perform private.audit('eoi', target.eoi_id, row.organisation_id, 'remove_attachment', null, null, null,
                        jsonb_build_object('attachment_id', attachment, 'file_name', target.file_name));
end
$$;

revoke execute on function public.add_attachment(uuid, text, text, text), public.remove_attachment(uuid) from public, anon;
