-- Break-it probe of the people page's search (issue 17's loose ends): the page's form caps a search at 200
-- characters, but a raw call to people_directory_page took any length and ran it as a pattern over every profile.
-- The function now refuses a search over 200 characters with a stable code ('invalid_search', HTTP 400), as it
-- refuses a bad page ('invalid_page'). Otherwise unchanged from 20261205000900_people_directory_search.sql.

create or replace function public.people_directory_page(
  search text default null,
  role public.app_role default null,
  page_size integer default 50,
  page_offset integer default 0
)
returns table (
  id uuid, email text, display_name text, roles public.app_role[], active boolean, invited boolean,
  created_at timestamptz, total bigint
)
language plpgsql stable security definer set search_path = '' as $$
declare
  pattern text;
begin
  if not private.has_role('coordinator') then perform private.fail('not_allowed', 'coordinators only'); end if;
  if page_size is null or page_size < 1 or page_size > 200 or page_offset is null or page_offset < 0 then
    perform private.fail('invalid_page', 'a page holds 1 to 200 people from offset 0');
  end if;
  if char_length(search) > 200 then
    perform private.fail('invalid_search', 'a search holds at most 200 characters');
  end if;
  -- The search is a plain substring: the person's % and _ are letters, not wildcards.
  pattern := case when nullif(btrim(search), '') is null then null
                  else '%' || replace(replace(replace(btrim(search), '\', '\\'), '%', '\%'), '_', '\_') || '%' end;
  return query
    select p.id, p.email, p.display_name,
           coalesce((select array_agg(g.role order by g.role) from public.role_grants g where g.user_id = p.id), '{}'),
           coalesce(u.banned_until is null or u.banned_until < now(), true), u.invited_at is not null, p.created_at,
           count(*) over ()
    from public.profiles p join auth.users u on u.id = p.id
    where (pattern is null or p.display_name ilike pattern or p.email ilike pattern)
      and (people_directory_page.role is null
           or exists (select 1 from public.role_grants g
                      where g.user_id = p.id and g.role = people_directory_page.role))
    order by p.display_name, p.email, p.id
    limit page_size offset page_offset;
end
$$;

revoke execute on function public.people_directory_page(text, public.app_role, integer, integer) from public, anon;
grant execute on function public.people_directory_page(text, public.app_role, integer, integer) to authenticated;
