-- The reviewers and coordinators an EoI can be assigned to (the queue's and the validation page's picker, the
-- coordinator's home), in one read. The app read the role grants, then the profiles with every id in the URL
-- (`id=in.(...)`): with some 700 BDT staff that URL passed 25 KB and PostgREST's answer failed in the client
-- ("Headers Overflow Error"), so the coordinator's home page answered 500. Security invoker: the caller's own RLS on
-- role_grants and profiles decides what it sees, exactly as the two reads did.
create function public.staff_reviewers()
returns table (id uuid, name text)
language sql stable security invoker set search_path = '' as $$
  select p.id, coalesce(nullif(p.display_name, ''), p.email)
  from public.profiles p
  where exists (select 1 from public.role_grants g
                where g.user_id = p.id and g.role in ('reviewer', 'coordinator'))
  order by p.display_name nulls last, p.id
$$;
revoke execute on function public.staff_reviewers() from public, anon;
grant execute on function public.staff_reviewers() to authenticated;
