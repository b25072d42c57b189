-- Restoring a plan version can be undone (issue 11): before the version's content is applied, the current plan is
-- saved as an automatic version of kind 'before_restore'. Its name is the restored version's name; the app shows
-- it as "Before restoring “<name>”" in the reader's language. Restoring that version undoes the restore.

alter table public.plan_versions drop constraint plan_versions_kind_check;
alter table public.plan_versions add constraint plan_versions_kind_check
  check (kind in ('named', 'sent_to_board', 'approved', 'before_restore'));

/**
 * An editor restores a version. The caller writes the live document's content to action_plans first (the app's
 * collaboration server does); this saves it as the automatic "before restoring" version, audits the restore with
 * both ids, and returns the content to apply as a new change plus the id of the version that undoes it.
 */
create or replace function public.restore_plan_version(version uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  row public.plan_versions;
  before_version uuid;
begin
  perform private.require_user();
  select * into row from public.plan_versions v where v.id = version;
  if not found or private.plan_access(row.plan_id) is null then perform private.fail('not_found', 'no such version'); end if;
  if private.plan_access(row.plan_id) is distinct from 'edit' then
    perform private.fail('not_allowed', 'only editors restore versions');
  end if;
  -- Two restores of one plan at once each keep their own "before" copy, one after the other.
  perform 1 from public.action_plans p where p.id = row.plan_id for update;
  before_version := private.snapshot_plan(row.plan_id, row.name, 'before_restore');
  perform private.audit_plan(row.plan_id, 'restore_version', row.name,
                             jsonb_build_object('version_id', version, 'before_version_id', before_version));
  return jsonb_build_object('content', row.content, 'before_version', before_version);
end
$$;
