-- Issue 18: every suggestion shows its author's name. plan_people named only the people who saved versions or wrote
-- comments, so a suggestion by anyone else (a Board member who never commented, the reader themself) read "Someone"
-- in the editor, the suggestions panel, versions and the printable copy. It now also names the authors of the
-- suggestion marks in the plan's current content and in its saved versions (the same people the plan's readers
-- already see suggesting, live).

/** Names of the people who wrote a plan's versions, comments and suggestions, for whoever may see the plan. */
create or replace function public.plan_people(plan uuid) returns table (id uuid, name text)
language sql stable security definer set search_path = '' as $$
  select p.id, coalesce(nullif(btrim(p.display_name), ''), split_part(p.email, '@', 1))
  from public.profiles p
  where private.plan_access(plan_people.plan) is not null and p.id in (
    select v.created_by from public.plan_versions v where v.plan_id = plan_people.plan
    union select c.author_id from public.plan_comments c where c.plan_id = plan_people.plan and c.removed_at is null
    union select c.resolved_by from public.plan_comments c where c.plan_id = plan_people.plan and c.removed_at is null
    union select s.author::uuid from (
      select jsonb_path_query(
        d.content,
        'lax $.**.marks[*] ? (@.type == "suggestionInsert" || @.type == "suggestionDelete").attrs.author'
      ) #>> '{}' as author
      from (
        select ap.content from public.action_plans ap where ap.id = plan_people.plan
        union all select v.content from public.plan_versions v where v.plan_id = plan_people.plan
      ) d
    ) s
    where s.author ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
$$;
