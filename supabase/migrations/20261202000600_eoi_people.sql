-- Issue 17: a decided EoI's validation page names who decided, and internal notes name their author. Reviewers read
-- only their own profile (RLS), so the names come from this narrow function, for BDT only, and only the names of the
-- people who acted on that EoI (its assignee, its validator, its notes' authors).

/** Names of the BDT staff who acted on an EoI, for BDT (anyone else gets no row). */
create function public.eoi_people(eoi uuid) returns table (id uuid, name text)
language sql stable security definer set search_path = '' as $$
  select p.id, coalesce(nullif(btrim(p.display_name), ''), split_part(p.email, '@', 1))
  from public.profiles p
  where private.is_bdt() and p.id in (
    select e.assigned_reviewer_id from public.eois e where e.id = eoi
    union select v.validated_by from public.eoi_validations v where v.eoi_id = eoi
    union select n.author_id from public.eoi_internal_notes n where n.eoi_id = eoi)
$$;
revoke execute on function public.eoi_people(uuid) from public, anon;
grant execute on function public.eoi_people(uuid) to authenticated;
