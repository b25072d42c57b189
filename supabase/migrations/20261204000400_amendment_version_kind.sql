-- Issue 18: version names the system writes follow the reader's language. The copy kept when an amendment is
-- submitted was stored as an ordinary named version called 'Amendment submitted', so every reader saw it in
-- English. It gets a kind of its own, which the app names in the reader's language (app/lib/plan-versions.ts).

alter table public.plan_versions drop constraint plan_versions_kind_check;
alter table public.plan_versions add constraint plan_versions_kind_check
  check (kind in ('named', 'sent_to_board', 'approved', 'before_restore', 'amendment_submitted'));

/**
 * Marks the snapshot submit_amendment takes (private.snapshot_plan(plan, 'Amendment submitted', 'named')) with its
 * own kind, without redefining submit_amendment: the version of an amendment's plan carrying exactly that name.
 */
create function private.mark_amendment_version() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.kind = 'named' and new.name = 'Amendment submitted'
     and exists (select 1 from public.plan_amendments m where m.plan_id = new.plan_id) then
    new.kind := 'amendment_submitted';
  end if;
  return new;
end
$$;
revoke execute on function private.mark_amendment_version() from public;

create trigger plan_versions_mark_amendment
  before insert on public.plan_versions
  for each row execute function private.mark_amendment_version();

-- Versions already taken: the kind is a label, not content, so the immutability guard steps aside for this once.
alter table public.plan_versions disable trigger plan_versions_immutable;
update public.plan_versions v set kind = 'amendment_submitted'
where v.kind = 'named' and v.id in (select m.sent_version_id from public.plan_amendments m where m.sent_version_id is not null);
alter table public.plan_versions enable trigger plan_versions_immutable;
