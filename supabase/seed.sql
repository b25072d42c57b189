-- Demo data for local development only (embedded mode and `supabase start`): one account per role, all with the
-- password `demo-password`. Reference data that production needs lives in migrations, never here.

create temporary table demo_accounts (id uuid, email text, display_name text, invited boolean, roles public.app_role[])
  on commit drop;
insert into demo_accounts values
  ('0d3f2a10-0000-4000-8000-000000000001', 'applicant@demo.local',   'Amina Diallo',     false, '{applicant}'),
  ('0d3f2a10-0000-4000-8000-000000000002', 'reviewer@demo.local',    'Rafael Moreno',    true,  '{reviewer}'),
  ('0d3f2a10-0000-4000-8000-000000000003', 'coordinator@demo.local', 'Mei Chen',         true,  '{coordinator}'),
  ('0d3f2a10-0000-4000-8000-000000000004', 'board@demo.local',       'Olena Kovalenko',  true,  '{board_member}'),
  ('0d3f2a10-0000-4000-8000-000000000005', 'chair@demo.local',       'Kwame Mensah',     true,  '{board_member,board_chair}');

insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, invited_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_super_admin, is_anonymous)
select '00000000-0000-0000-0000-000000000000', id, 'authenticated', 'authenticated', email,
       extensions.crypt('demo-password', extensions.gen_salt('bf', 10)), now(),
       case when invited then now() end,
       '{"provider": "email", "providers": ["email"]}'::jsonb,
       jsonb_build_object('display_name', display_name), now(), now(), false, false
from demo_accounts;

insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
select id::text, id, jsonb_build_object('sub', id::text, 'email', email, 'email_verified', true), 'email', now(), now()
from demo_accounts;

insert into public.role_grants (user_id, role)
select id, unnest(roles) from demo_accounts where invited;
