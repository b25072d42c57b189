import type pg from "pg";

/** At least three calls, and enough that (n mod calls, n mod organisations) never repeats for n below `eois`. */
function callCount(eois: number, organisations: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let calls = Math.max(3, Math.ceil(eois / Math.max(organisations, 1)));
  while (gcd(calls, organisations) !== 1) calls++;
  return calls;
}

/**
 * A realistic volume for measuring: `organisations` institutions with one applicant each, open calls and `eois` EoIs
 * spread over every state, written in a few set-based statements. An institution has one live EoI per call, so there
 * are enough calls (a count coprime with `organisations`) for every EoI to pair a different institution and call.
 * Rows go straight into the tables (no transition functions, so no audit entries): this data is for load, not for
 * the workflow.
 */
export async function seedLarge(db: pg.Client, options: { eois: number; organisations: number }) {
  await db.query("begin");
  try {
    const { rows: users } = await db.query<{ id: string; email: string }>(
      `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                               raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_super_admin, is_anonymous)
       select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
              format('applicant-%s-%s@large.local', n, substr(md5(random()::text), 1, 6)),
              extensions.crypt('demo-password', extensions.gen_salt('bf', 4)), now(),
              '{"provider": "email", "providers": ["email"]}', jsonb_build_object('display_name', 'Applicant ' || n),
              now(), now(), false, false
       from generate_series(1, $1) n
       returning id, email`,
      [options.organisations],
    );
    const { rows: organisations } = await db.query<{ id: string }>(
      `insert into public.organisations (name, kind, country_code, website, created_by)
       select format('Institution %s of %s', n, c.name_en),
              (array['ministry', 'regulator', 'university', 'innovation_agency', 'company'])[1 + n % 5]::public.organisation_kind,
              c.code, format('https://institution-%s.example.org', n), u.id
       from unnest($1::uuid[]) with ordinality as u(id, n)
       join lateral (select code, name_en from public.countries order by code offset (u.n * 3) % 193 limit 1) c on true
       returning id`,
      [users.map((user) => user.id)],
    );
    await db.query(
      `insert into public.organisation_members (organisation_id, user_id)
       select o, u from unnest($1::uuid[], $2::uuid[]) as t(o, u)`,
      [organisations.map((row) => row.id), users.map((row) => row.id)],
    );
    const { rows: calls } = await db.query<{ id: string }>(
      `insert into public.calls (title, description, opens_at, closes_at, status)
       select format('Large seed call %s', n), 'Call for Expressions of Interest', now() - interval '60 days',
              now() + interval '30 days', 'open'
       from generate_series(1, $1) n returning id`,
      [callCount(options.eois, options.organisations)],
    );
    const reviewer = (await db.query<{ id: string }>("select id from auth.users where email = 'reviewer@demo.local'"))
      .rows[0]?.id;
    await db.query(
      `insert into public.eois (call_id, organisation_id, status, centre_name, request_kind, proposed_centre_type,
                                proposed_scope, capabilities, kigali_priorities, motivation, ecosystem, resources,
                                governance, contact_email, assigned_reviewer_id, submitted_at, created_at, updated_at)
       select ($1::uuid[])[1 + n % cardinality($1::uuid[])],
              ($2::uuid[])[1 + n % cardinality($2::uuid[])],
              s.status,
              format('%s %s Acceleration Centre %s', (array['Digital', 'Innovation', 'Open Technology', 'Future', 'SME'])[1 + n % 5],
                     (array['Hub', 'Lab', 'Network', 'Alliance'])[1 + n % 4], n),
              (array['establish', 'strengthen'])[1 + n % 2]::public.request_kind,
              (array['technology_accelerator', 'advanced_research_entrepreneurship', 'innovation_digital_transformation',
                     'initiative_accelerator'])[1 + n % 4],
              (array['global', 'regional', 'national', 'national'])[1 + n % 4]::public.centre_scope,
              case n % 4 when 0 then array['future_readiness'] when 1 then array['entrepreneurship_sme_growth', 'policy_experimentation']
                         when 2 then array['open_technology_innovation']
                         else array['ecosystem_initiative_acceleration', 'future_readiness'] end,
              array['digital_transformation'],
              format('We propose to accelerate %s entrepreneurship and %s across the region (%s).',
                     (array['digital', 'green', 'agritech', 'fintech', 'health'])[1 + n % 5],
                     (array['innovation', 'skills', 'policy experimentation', 'start-up growth'])[1 + n % 4], n),
              'Universities, incubators and the regulator.', 'Premises and staff from the host.', 'A steering committee.',
              format('contact-%s@large.local', n),
              case when n % 3 = 0 then $3::uuid end,
              case when s.status <> 'draft' then now() - make_interval(mins => n) end,
              now() - make_interval(mins => n), now() - make_interval(mins => n)
       from generate_series(1, $4) n
       cross join lateral (select (array['draft', 'submitted', 'submitted', 'under_validation', 'clarification_requested',
                                         'resubmitted', 'validated', 'declined', 'withdrawn', 'submitted'])[1 + n % 10]::public.eoi_status
                           as status) s`,
      [calls.map((row) => row.id), organisations.map((row) => row.id), reviewer ?? null, options.eois],
    );
    await db.query("commit");
    await db.query("analyze public.eois; analyze public.organisations; analyze public.organisation_members");
    return { applicantEmails: users.map((user) => user.email), callIds: calls.map((row) => row.id) };
  } catch (error) {
    await db.query("rollback");
    throw error;
  }
}
