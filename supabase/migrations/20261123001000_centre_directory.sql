-- Issue 5: what the public directory and the Board agenda may show of records that RLS otherwise keeps private.
-- Organisations and profiles are not readable by the public or by Board members; these functions expose only the
-- few columns each page needs, and nothing else of those rows.

-- public directory -----------------------------------------------------------------------------------------------

/** The directory of designated Acceleration Centres with the host institution's name, for anyone. */
create function public.list_directory_centres()
returns table (id uuid, name text, host_institution text, country_code text, region_code text, centre_type text,
               scope public.centre_scope, capabilities text[], plan_hash text, designated_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select c.id, c.name, o.name, c.country_code::text, c.region_code, c.centre_type, c.scope, c.capabilities, c.plan_hash,
         c.designated_at
  from public.centres c join public.organisations o on o.id = c.organisation_id
$$;

/** The approved, frozen plan version of a designated centre (public once the Board has designated the centre). */
create function public.get_centre_plan(centre uuid)
returns table (version_id uuid, content jsonb, content_hash text, approved_at timestamptz)
language sql stable security definer set search_path = '' as $$
  select v.id, v.content, v.content_hash, v.created_at
  from public.centres c join public.plan_versions v on v.id = c.approved_plan_version_id
  where c.id = centre
$$;

revoke execute on function public.list_directory_centres(), public.get_centre_plan(uuid) from public;
grant execute on function public.list_directory_centres(), public.get_centre_plan(uuid) to anon, authenticated;

-- Board agenda ---------------------------------------------------------------------------------------------------

/**
 * The applications that reached the Board, as every Board member may know them before declaring: the centre's name
 * and host institution (without them nobody can tell whether they have a conflict of interest), never the content.
 */
create function public.list_board_agenda()
returns table (application_id uuid, centre_name text, host_institution text, country_code text,
               status public.application_status, sent_at timestamptz, in_open_review boolean)
language plpgsql stable security definer set search_path = '' as $$
begin
  if not (private.is_board() or private.is_bdt()) then perform private.fail('not_allowed', 'Board and BDT only'); end if;
  return query
  select a.id, a.centre_name, o.name, o.country_code::text, a.status, v.created_at,
         exists (select 1 from public.board_packets p join public.board_reviews r on r.id = p.review_id
                 where p.application_id = a.id and r.status = 'open')
  from public.centre_applications a
  join public.organisations o on o.id = a.organisation_id
  join public.plan_versions v on v.id = a.sent_plan_version_id;
end
$$;

/** Names of the Board's members, so members see who voted and wrote, and the chair who declared a conflict. */
create function public.list_board_people()
returns table (id uuid, name text, is_chair boolean)
language plpgsql stable security definer set search_path = '' as $$
begin
  if not (private.is_board() or private.is_bdt()) then perform private.fail('not_allowed', 'Board and BDT only'); end if;
  return query
  select p.id, coalesce(nullif(btrim(p.display_name), ''), split_part(p.email, '@', 1)), bool_or(g.role = 'board_chair')
  from public.profiles p join public.role_grants g on g.user_id = p.id
  where g.role in ('board_member', 'board_chair')
  group by p.id;
end
$$;

revoke execute on function public.list_board_agenda(), public.list_board_people() from public, anon;
grant execute on function public.list_board_agenda(), public.list_board_people() to authenticated;
