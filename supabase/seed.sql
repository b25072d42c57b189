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

-- A demo pipeline driven through the real transition functions (each one checks the role and writes the audit
-- trail), acting as each demo person in turn: an open call; Amina's institution with an application in draft whose
-- action plan opens with the template; and a second institution already designated as a centre by the Board.
create function pg_temp.act_as(person uuid) returns void language sql as $$
  select set_config('request.jwt.claims', json_build_object('sub', person, 'role', 'authenticated')::text, true)
$$;

do $$
declare
  applicant uuid := '0d3f2a10-0000-4000-8000-000000000001';
  reviewer uuid := '0d3f2a10-0000-4000-8000-000000000002';
  coordinator uuid := '0d3f2a10-0000-4000-8000-000000000003';
  member uuid := '0d3f2a10-0000-4000-8000-000000000004';
  chair uuid := '0d3f2a10-0000-4000-8000-000000000005';
  call uuid;
  agency uuid;
  university uuid;
  eoi uuid;
  application uuid;
  packet uuid;
  review uuid;
  hub uuid;
  revised uuid;
  cycle_no integer;
  period uuid;
  report uuid;
  eoi_content constant jsonb := '{
    "request_kind": "establish", "proposed_scope": "national",
    "capabilities": ["entrepreneurship_sme_growth", "policy_experimentation"],
    "regional_initiatives": ["AFR4"], "kigali_priorities": ["digital_transformation"],
    "motivation": "To accelerate digital entrepreneurship across the country.",
    "ecosystem": "Three universities, the regulator and four incubators.",
    "resources": "Premises, a prototyping lab and eight staff provided by the host for five years.",
    "governance": "A steering committee chaired by the ministry, with academia and the private sector.",
    "alignment": "Aligned with AFR4 and the Kigali Action Plan.", "contact_name": "Amina Diallo"}';
begin
  perform pg_temp.act_as(coordinator);
  insert into public.calls (title, description, opens_at, closes_at, created_by)
  values ('Acceleration Centres 2027', 'Expressions of Interest to host an Acceleration Centre of the Network.',
          now() - interval '1 day', now() + interval '60 days', coordinator)
  returning id into call;
  perform public.open_call(call);

  perform pg_temp.act_as(applicant);
  agency := public.create_organisation('Kenya National Innovation Agency', 'innovation_agency', 'KE', 'https://example.org');
  university := public.create_organisation('Université numérique du Sénégal', 'university', 'SN', 'https://example.org');

  foreach eoi in array array[
    public.create_eoi(call, agency), public.create_eoi(call, university)
  ] loop
    update public.eois e set
      centre_name = case when e.organisation_id = agency then 'Nairobi Digital Innovation Acceleration Centre'
                         else 'Dakar Open Technology Acceleration Centre' end,
      proposed_centre_type = 'innovation_digital_transformation',
      request_kind = (eoi_content ->> 'request_kind')::public.request_kind,
      proposed_scope = 'national',
      capabilities = array['entrepreneurship_sme_growth', 'policy_experimentation'],
      regional_initiatives = array['AFR4'], kigali_priorities = array['digital_transformation'],
      motivation = eoi_content ->> 'motivation', ecosystem = eoi_content ->> 'ecosystem',
      resources = eoi_content ->> 'resources', governance = eoi_content ->> 'governance',
      alignment = eoi_content ->> 'alignment', contact_name = eoi_content ->> 'contact_name'
    where e.id = eoi;
    perform public.submit_eoi(eoi);
    perform pg_temp.act_as(reviewer);
    perform public.start_validation(eoi);
    perform public.validate_eoi(eoi, 'innovation_digital_transformation', 'national',
                                array['entrepreneurship_sme_growth', 'policy_experimentation'],
                                'Strong ecosystem and committed host.', '{"complete": true, "eligible": true}');
    application := public.invite_application(eoi);
    perform pg_temp.act_as(applicant);
    update public.centre_applications set
      governance = eoi_content ->> 'governance', resources = eoi_content ->> 'resources',
      partners = 'Three universities, the national regulator and two incubators.',
      host_details = 'Hosted by the institution in its main building, with a dedicated team.'
    where id = application;
  end loop;

  -- The Senegalese application goes all the way: BDT review, the Board, approval with conditions.
  -- A complete plan: submission requires every capability's objectives, activities and KPIs (with baseline and target).
  -- Issue 16: its KPIs are structured (indicator, unit, baseline, target, target date; each row keyed), so the
  -- designated demo centre's approved baseline has typed KPIs to report against.
  update public.action_plans set content = '{"type": "doc", "content": [
    {"type": "heading", "attrs": {"level": 1}, "content": [{"type": "text", "text": "Action plan: Dakar Open Technology Acceleration Centre"}]},
    {"type": "paragraph", "content": [{"type": "text", "text": "Within three years the centre supports 60 start-ups and three regulatory sandboxes."}]},
    {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "1. Entrepreneurship and SME growth"}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Objectives"}]},
    {"type": "paragraph", "content": [{"type": "text", "text": "Two cohorts a year of 10 start-ups, with mentoring by the partner universities."}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Activities and timeline"}]},
    {"type": "table", "content": [
      {"type": "tableRow", "content": [{"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Activity"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Start"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "End"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Lead"}]}]}]},
      {"type": "tableRow", "content": [{"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Cohort 1: selection and bootcamp"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2027-09"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2028-02"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Incubation lead"}]}]}]},
      {"type": "tableRow", "content": [{"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Cohort 2"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2028-03"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2028-08"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Incubation lead"}]}]}]}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Key performance indicators"}]},
    {"type": "table", "attrs": {"kind": "kpi", "capability": "entrepreneurship_sme_growth"}, "content": [
      {"type": "tableRow", "content": [{"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Indicator"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Unit"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Baseline"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Target"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Target date"}]}]}]},
      {"type": "tableRow", "attrs": {"kpiKey": "esg-startups"}, "content": [{"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Start-ups accelerated"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "start-ups"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "0"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "60"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2030-06-30"}]}]}]},
      {"type": "tableRow", "attrs": {"kpiKey": "esg-jobs"}, "content": [{"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Jobs created by alumni"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "jobs"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "0"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "300"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2030-06-30"}]}]}]},
      {"type": "tableRow", "attrs": {"kpiKey": "esg-women"}, "content": [{"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Share of start-ups led by women"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "%"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "18"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "40"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2030-06-30"}]}]}]}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Resources and partners"}]},
    {"type": "paragraph", "content": [{"type": "text", "text": "The host premises and lab; three universities and two incubators."}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Risks"}]},
    {"type": "paragraph", "content": [{"type": "text", "text": "Too few applications outside Dakar: outreach through the regional universities."}]},
    {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "2. Policy experimentation"}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Objectives"}]},
    {"type": "paragraph", "content": [{"type": "text", "text": "A fintech sandbox with the regulator, evaluated every six months."}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Activities and timeline"}]},
    {"type": "table", "content": [
      {"type": "tableRow", "content": [{"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Activity"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Start"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "End"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Lead"}]}]}]},
      {"type": "tableRow", "content": [{"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Sandbox rules agreed with the regulator"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2027-07"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2027-12"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Policy lead"}]}]}]}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Key performance indicators"}]},
    {"type": "table", "attrs": {"kind": "kpi", "capability": "policy_experimentation"}, "content": [
      {"type": "tableRow", "content": [{"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Indicator"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Unit"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Baseline"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Target"}]}]}, {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Target date"}]}]}]},
      {"type": "tableRow", "attrs": {"kpiKey": "pol-sandboxes"}, "content": [{"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Regulatory sandboxes run"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "sandboxes"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "0"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "3"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2030-06-30"}]}]}]},
      {"type": "tableRow", "attrs": {"kpiKey": "pol-firms"}, "content": [{"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Firms tested in a sandbox"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "firms"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "0"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "24"}]}]}, {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "2029-12-31"}]}]}]}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Resources and partners"}]},
    {"type": "paragraph", "content": [{"type": "text", "text": "The national regulator and the legal team of the ministry."}]},
    {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "Risks"}]},
    {"type": "paragraph", "content": [{"type": "text", "text": "Regulatory priorities change: a memorandum of understanding with the regulator."}]}]}'
  where application_id = application;
  perform public.submit_application(application);
  perform pg_temp.act_as(reviewer);
  perform public.start_bdt_review(application, '{"complete": true}', 'Solid host commitment.');
  perform public.send_to_board(application, 'BDT recommends approval with a condition on staffing.', 'approve_with_conditions');
  perform pg_temp.act_as(chair);
  review := public.open_board_review('Board review, first designations', now() + interval '14 days', array[application]);
  select id into packet from public.board_packets where review_id = review;
  perform public.declare_conflict(packet, false);
  perform public.cast_vote(packet, 'approve_with_conditions', 'Strong plan; staffing must be confirmed.');
  perform pg_temp.act_as(member);
  perform public.declare_conflict(packet, false);
  perform public.cast_vote(packet, 'approve', 'Ready to start.');
  perform pg_temp.act_as(chair);
  -- Issue 15: each condition is its own record; the second concerns a passage of the approved plan. The centre has
  -- answered the second with a letter and BDT marked it met (the chair has yet to close it); the first is open.
  perform public.record_decision(packet, 'approve_with_conditions', 'Confirm the eight staff positions within six months.',
    jsonb_build_array(
      jsonb_build_object('text', 'Confirm the eight staff positions within six months.',
                         'due_on', (current_date + 180)::text),
      jsonb_build_object('text', 'Send the regulator''s signed commitment to the fintech sandbox.',
                         'due_on', (current_date + 60)::text,
                         'quote', 'A fintech sandbox with the regulator, evaluated every six months.')));
  perform public.close_board_review(review);
  perform pg_temp.act_as(applicant);
  perform public.respond_to_condition(
    (select c.id from public.decision_conditions c where c.packet_id = packet and c.position = 2),
    'The regulator signed the sandbox memorandum on the date below; the letter is attached.',
    jsonb_build_array(jsonb_build_object('file_name', 'regulator-commitment.pdf', 'content_type', 'application/pdf',
      'content_base64', encode(convert_to(E'%PDF-1.4\n% Demo: the regulator''s signed commitment\n%%EOF\n', 'UTF8'), 'base64'))));
  perform pg_temp.act_as(reviewer);
  perform public.review_condition(
    (select c.id from public.decision_conditions c where c.packet_id = packet and c.position = 2), true,
    'The memorandum is signed by the regulator''s director general and covers the sandbox.');
  -- Issue 15: the centre has an amendment in progress: a draft, co-edited from the approved baseline, that widens
  -- the outreach against the first risk (a minor change: objectives and KPI targets stay as approved).
  perform pg_temp.act_as(applicant);
  perform public.propose_amendment((select c.id from public.centres c where c.application_id = application),
    'Two regional incubators join the outreach: the plan names them and their role.');
  update public.action_plans set content = replace(content::text,
      'outreach through the regional universities.',
      'outreach through the regional universities and two regional incubators in Thiès and Saint-Louis.')::jsonb
  where id = (select m.plan_id from public.plan_amendments m join public.centres c on c.id = m.centre_id
              where c.application_id = application and m.status = 'draft');

  -- Issue 15: a third institution's application in its second revision cycle. The Board requested changes twice
  -- (the call allows two cycles); the applicant revised answers and plan each time, BDT sent it back, and the chair
  -- has opened its third reading, where the Board may only approve, approve with conditions or reject. Each member
  -- who declares no conflict sees the answers side by side and the plan diff since the version last sent.
  perform pg_temp.act_as(applicant);
  hub := public.create_organisation('Rwanda Digital Policy Hub', 'innovation_agency', 'RW', 'https://example.org');
  eoi := public.create_eoi(call, hub);
  update public.eois e set
    centre_name = 'Kigali Digital Policy Acceleration Centre', proposed_centre_type = 'innovation_digital_transformation',
    request_kind = 'establish', proposed_scope = 'national',
    capabilities = array['entrepreneurship_sme_growth', 'policy_experimentation'],
    regional_initiatives = array['AFR4'], kigali_priorities = array['enabling_policy_regulation'],
    motivation = 'To test digital policy with start-ups before it becomes law.',
    ecosystem = 'The ICT chamber, two universities and the utilities regulator.',
    resources = 'A floor of the innovation hub and five staff funded by the host.',
    governance = 'A board with the ministry, the regulator and the private sector.',
    alignment = 'Aligned with AFR4 and the enabling policy priority.', contact_name = 'Amina Diallo'
  where e.id = eoi;
  perform public.submit_eoi(eoi);
  perform pg_temp.act_as(reviewer);
  perform public.start_validation(eoi);
  perform public.validate_eoi(eoi, 'innovation_digital_transformation', 'national',
                              array['entrepreneurship_sme_growth', 'policy_experimentation'],
                              'A regulator-backed host with a clear policy focus.', '{"complete": true, "eligible": true}');
  revised := public.invite_application(eoi);
  perform pg_temp.act_as(applicant);
  update public.centre_applications set
    governance = 'A board with the ministry, the regulator and the private sector.',
    resources = 'A floor of the innovation hub and five staff funded by the host.',
    partners = 'The ICT chamber.',
    host_details = 'Hosted by the hub in Kigali, with a policy team seconded by the regulator.'
  where id = revised;
  update public.action_plans set content = replace(
    (select p.content from public.action_plans p where p.application_id = application)::text,
    'Dakar Open Technology', 'Kigali Digital Policy')::jsonb
  where application_id = revised;
  for cycle_no in 1 .. 2 loop
    perform public.submit_application(revised);
    perform pg_temp.act_as(reviewer);
    perform public.start_bdt_review(revised, '{"complete": true}', null);
    perform public.send_to_board(revised, case cycle_no when 1 then 'BDT recommends approval.'
                                       else 'BDT recommends approval: the partners are now named.' end,
                                 'approve');
    perform pg_temp.act_as(chair);
    review := public.open_board_review(format('Board review, Kigali reading %s', cycle_no), now() + interval '14 days',
                                       array[revised]);
    select id into packet from public.board_packets where review_id = review;
    perform public.declare_conflict(packet, false);
    perform public.cast_vote(packet, 'request_changes', 'The plan needs more detail.');
    perform pg_temp.act_as(member);
    perform public.declare_conflict(packet, false);
    perform public.cast_vote(packet, 'request_changes', 'The partners are not named.');
    perform pg_temp.act_as(chair);
    perform public.record_decision(packet, 'request_changes', case cycle_no
      when 1 then 'Name the partners and their commitments, and grow the cohorts.'
      else 'Add a data-protection sandbox to the policy objectives.' end);
    perform public.close_board_review(review);
    perform pg_temp.act_as(applicant);
    if cycle_no = 1 then
      update public.centre_applications
      set partners = 'The ICT chamber (mentors), the University of Rwanda (research) and the regulator (sandboxes).'
      where id = revised;
      update public.action_plans
      set content = replace(content::text, 'Two cohorts a year of 10 start-ups', 'Two cohorts a year of 12 start-ups')::jsonb
      where application_id = revised;
    else
      update public.action_plans
      set content = replace(content::text, 'A fintech sandbox with the regulator',
                            'A fintech sandbox and a data-protection sandbox with the regulator')::jsonb
      where application_id = revised;
    end if;
  end loop;
  perform public.submit_application(revised);
  perform pg_temp.act_as(reviewer);
  perform public.start_bdt_review(revised, '{"complete": true}', 'Both requests answered.');
  perform public.send_to_board(revised, 'BDT recommends approval: both rounds of changes are answered.', 'approve');
  perform pg_temp.act_as(chair);
  perform public.open_board_review('Board review, Kigali third reading', now() + interval '14 days', array[revised]);

  -- Issue 16: Mei has opened a reporting period; the Dakar centre (the one designated centre) has a draft report,
  -- its KPI lines copied from its approved baseline, which Amina has started: two actual values with their statuses
  -- and the narrative of one capability. The rest is still to write before it is submitted to BDT.
  perform pg_temp.act_as(coordinator);
  period := public.open_reporting_period('First reporting period', current_date - 181, current_date - 1,
                                         current_date + 30);
  select r.id into report from public.progress_reports r join public.centres c on c.id = r.centre_id
  where r.period_id = period and c.application_id = application;
  perform pg_temp.act_as(applicant);
  perform public.save_progress_report(report, jsonb_build_array(
    jsonb_build_object('field', 'actual', 'kpi', 'esg-startups', 'from', null, 'to', '14'),
    jsonb_build_object('field', 'status', 'kpi', 'esg-startups', 'from', null, 'to', 'on_track'),
    jsonb_build_object('field', 'actual', 'kpi', 'esg-women', 'from', null, 'to', '22'),
    jsonb_build_object('field', 'status', 'kpi', 'esg-women', 'from', null, 'to', 'at_risk'),
    jsonb_build_object('field', 'narrative', 'capability', 'entrepreneurship_sme_growth', 'from', null,
                       'to', 'The first cohort of 14 start-ups finished its bootcamp; four of them are led by women, '
                             'fewer than planned, so the second call is promoted through the women founders'' network.')));
  perform set_config('request.jwt.claims', '', true);
end
$$;
