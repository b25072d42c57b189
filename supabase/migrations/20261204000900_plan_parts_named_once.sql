-- One place for the words that name a plan's parts, in the six languages (issues 16 and 18).
--
-- Three functions each carried their own copy of these patterns, and they had drifted: private.plan_missing_parts
-- (20261204000110) and private.plan_kpis (20261204000100) looked for "indicat", which misses the Spanish template's
-- "Indicadores clave de desempeño", so a plan written in Spanish was always told its KPIs were missing and could not
-- be submitted; private.plan_commitments was redefined twice the same day, by 20261204000110 (KPI targets read
-- through plan_kpis, objectives found in English only) and then by 20261204000510 (objectives in six languages, KPI
-- targets read from a fixed column, which in the typed five-column table is the baseline), so the later one undid
-- the earlier. Now private.plan_part_of_heading names the part a sub-heading opens, and all three call it;
-- plan_commitments keeps the six-language objectives and reads the targets through plan_kpis.

/** The plan part a (lower-cased) sub-heading opens: objectives, activities, kpis, or null. */
create function private.plan_part_of_heading(heading text) returns text
language sql immutable set search_path = '' as $$
  select case
    -- Cyrillic words list both cases: lower() and ~* fold ASCII only under the C collation.
    when heading ~* 'objecti|objetivo|الأهداف|[Цц]ел|目标' then 'objectives'
    when heading ~* 'activit|actividad|الأنشطة|[Мм]ероприят|活动' then 'activities'
    -- "indica" finds indicators, indicateurs and the Spanish indicadores.
    when heading ~* 'indica|kpi|مؤشر|[Пп]оказател|指标' then 'kpis'
  end
$$;
revoke execute on function private.plan_part_of_heading(text) from public;
-- plan_kpis, callable by authenticated (20261204000100), calls it.
grant execute on function private.plan_part_of_heading(text) to authenticated, service_role;

create or replace function private.plan_kpis(content jsonb)
returns table (kpi_key text, capability text, "position" int, indicator text, unit text, baseline numeric,
               target numeric, target_date date, problems text[])
language plpgsql stable set search_path = '' as $$
declare
  block jsonb;
  level integer;
  heading text;
  section_code text := 'general';
  found_code text;
  in_kpis boolean := false;
  counts jsonb := '{}';
  seen text[] := '{}';
  tablerow jsonb;
  header jsonb;
  roles text[];
  at_indicator integer;
  at_unit integer;
  at_baseline integer;
  at_target integer;
  at_date integer;
  cap text;
  n integer;
  key text;
  t_baseline text;
  t_target text;
  t_date text;
  i integer;
begin
  for block in
    select b from jsonb_array_elements(case when jsonb_typeof(content -> 'content') = 'array' then content -> 'content'
                                            else '[]' end) with ordinality as x(b, o) order by o
  loop
    level := private.plan_heading_level(block);
    if level is not null then
      heading := lower(private.plan_heading_text(block));
      if level <= 2 then
        in_kpis := false;
        if level = 2 then
          select c.code into found_code
          from public.strategic_capabilities c, jsonb_each_text(c.label::jsonb) l
          where btrim(l.value) <> '' and position(lower(l.value) in heading) > 0
          order by c.position limit 1;
          section_code := coalesce(found_code, 'general');
        end if;
      else
        in_kpis := private.plan_part_of_heading(heading) = 'kpis';
      end if;
      continue;
    end if;
    continue when block ->> 'type' is distinct from 'table';
    continue when block -> 'attrs' ->> 'kind' is distinct from 'kpi' and not in_kpis;
    cap := coalesce(nullif(btrim(block -> 'attrs' ->> 'capability'), ''), section_code);

    if block -> 'attrs' ->> 'kind' = 'kpi' then
      at_indicator := 0; at_unit := 1; at_baseline := 2; at_target := 3; at_date := 4;
    else
      -- A free-text table: columns found by their header; the old template's order when the header names none.
      at_indicator := null; at_unit := null; at_baseline := null; at_target := null; at_date := null;
      select r into header
      from jsonb_array_elements(case when jsonb_typeof(block -> 'content') = 'array' then block -> 'content' else '[]' end) r
      where r -> 'content' -> 0 ->> 'type' = 'tableHeader' limit 1;
      roles := array(select private.kpi_column_role(coalesce(private.kpi_cell_text(c), ''))
                     from jsonb_array_elements(case when jsonb_typeof(header -> 'content') = 'array' then header -> 'content'
                                                    else '[]' end) with ordinality as x(c, o) order by o);
      for i in 1 .. coalesce(array_length(roles, 1), 0) loop
        case roles[i]
          when 'indicator' then at_indicator := coalesce(at_indicator, i - 1);
          when 'unit' then at_unit := coalesce(at_unit, i - 1);
          when 'baseline' then at_baseline := coalesce(at_baseline, i - 1);
          when 'target' then at_target := coalesce(at_target, i - 1);
          when 'target_date' then at_date := coalesce(at_date, i - 1);
          else null;
        end case;
      end loop;
      if coalesce(at_indicator, at_unit, at_baseline, at_target, at_date) is null then
        at_indicator := 0; at_baseline := 1; at_target := 2; at_date := 3;
      elsif at_indicator is null then
        -- The indicator is the first column no other field took.
        select min(o - 1) into at_indicator from unnest(roles) with ordinality as x(r, o) where r is null;
      end if;
    end if;

    for tablerow in select r from private.plan_table_body_rows(block) r loop
      continue when not private.plan_node_has_text(tablerow);
      n := coalesce((counts ->> cap)::integer, 0) + 1;
      counts := counts || jsonb_build_object(cap, n);
      key := nullif(btrim(tablerow -> 'attrs' ->> 'kpiKey'), '');
      if key is null or key = any(seen) then key := cap || '.' || n; end if;
      i := 1;
      while key = any(seen) loop
        i := i + 1;
        key := cap || '.' || n || '.' || i;
      end loop;
      seen := seen || key;

      kpi_key := key;
      capability := cap;
      "position" := n;
      indicator := private.kpi_cell_text(tablerow -> 'content' -> at_indicator);
      unit := private.kpi_cell_text(tablerow -> 'content' -> at_unit);
      t_baseline := private.kpi_cell_text(tablerow -> 'content' -> at_baseline);
      t_target := private.kpi_cell_text(tablerow -> 'content' -> at_target);
      t_date := private.kpi_cell_text(tablerow -> 'content' -> at_date);
      baseline := private.kpi_number(t_baseline);
      target := private.kpi_number(t_target);
      target_date := private.kpi_date(t_date);
      problems := array_remove(array[
        case when indicator is null then 'indicator_missing' end,
        case when unit is null then 'unit_missing' end,
        case when t_baseline is null then 'baseline_missing' when baseline is null then 'baseline_not_number' end,
        case when t_target is null then 'target_missing' when target is null then 'target_not_number' end,
        case when t_date is null then 'target_date_missing' when target_date is null then 'target_date_invalid' end
      ], null);
      return next;
    end loop;
  end loop;
end
$$;

create or replace function private.plan_missing_parts(plan uuid) returns text[]
language plpgsql stable security definer set search_path = '' as $$
declare
  app public.centre_applications;
  doc jsonb;
  blocks jsonb[];
  levels integer[];
  texts text[];
  cap record;
  section_at integer;
  section_end integer;
  part record;
  part_at integer;
  part_end integer;
  part_blocks jsonb[];
  filled boolean;
  missing text[] := '{}';
  i integer;
begin
  select a.* into app from public.action_plans p join public.centre_applications a on a.id = p.application_id where p.id = plan;
  select p.content into doc from public.action_plans p where p.id = plan;
  blocks := array(select b from jsonb_array_elements(case when jsonb_typeof(doc -> 'content') = 'array' then doc -> 'content' else '[]' end)
                  with ordinality as x(b, n) order by n);
  levels := array(select private.plan_heading_level(b) from unnest(blocks) with ordinality as x(b, n) order by n);
  texts := array(select lower(private.plan_heading_text(b)) from unnest(blocks) with ordinality as x(b, n) order by n);

  for cap in
    select c.code, c.label::jsonb as label, c.position from public.strategic_capabilities c where c.code = any(app.capabilities)
    union all
    select 'general', '{"en": "Strategic objective", "fr": "Objectif stratégique", "es": "Objetivo estratégico", "ar": "الهدف الاستراتيجي", "ru": "Стратегическая цель", "zh": "战略目标"}'::jsonb, 0 where not exists (
      select 1 from public.strategic_capabilities c where c.code = any(app.capabilities))
    order by 3
  loop
    -- The capability's section: a level-2 heading naming it (in any of the six languages, numbered or not).
    section_at := null;
    for i in 1 .. coalesce(array_length(blocks, 1), 0) loop
      if levels[i] = 2 and exists (select 1 from jsonb_each_text(cap.label) l
                                   where btrim(l.value) <> '' and position(lower(l.value) in texts[i]) > 0) then
        section_at := i;
        exit;
      end if;
    end loop;
    if section_at is null then
      missing := missing || ('plan.' || cap.code || '.section');
      continue;
    end if;
    section_end := coalesce(array_length(blocks, 1), 0) + 1;
    for i in section_at + 1 .. coalesce(array_length(blocks, 1), 0) loop
      if levels[i] <= 2 then section_end := i; exit; end if;
    end loop;

    for part in select * from (values (1, 'objectives'), (2, 'activities'), (3, 'kpis')) as p(n, code) order by n loop
      part_at := null;
      for i in section_at + 1 .. section_end - 1 loop
        if levels[i] >= 3 and private.plan_part_of_heading(texts[i]) = part.code then part_at := i; exit; end if;
      end loop;
      filled := false;
      if part_at is not null then
        part_end := section_end;
        for i in part_at + 1 .. section_end - 1 loop
          if levels[i] is not null and levels[i] <= levels[part_at] then part_end := i; exit; end if;
        end loop;
        part_blocks := blocks[part_at + 1 : part_end - 1];
        filled := case part.code
          when 'objectives' then exists (select 1 from unnest(part_blocks) b where private.plan_node_has_text(b))
          when 'activities' then private.plan_activities_filled(part_blocks)
          else private.plan_kpis_complete(part_blocks)
        end;
      end if;
      if not coalesce(filled, false) then missing := missing || ('plan.' || cap.code || '.' || part.code); end if;
    end loop;
  end loop;
  -- Issue 16: each KPI that does not type, named, where the capability's KPI part is there (else that part is named).
  missing := missing || array(
    select 'kpi.' || k.capability || '.' || k.position || '.' || problem
    from private.plan_kpis(doc) with ordinality as k(kpi_key, capability, position, indicator, unit, baseline, target,
                                                     target_date, problems, n),
         unnest(k.problems) with ordinality as p(problem, m)
    where not (('plan.' || k.capability || '.kpis') = any(missing) or ('plan.' || k.capability || '.section') = any(missing))
    order by k.n, p.m);
  return missing;
end
$$;

/**
 * What an amendment may not change without the Board (issue 15): each capability's objectives (found in the six
 * languages) and each KPI's target as private.plan_kpis reads it, whatever the table's layout.
 */
create or replace function private.plan_commitments(doc jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  node jsonb;
  section text := '';
  part text := '';
  body text;
  objectives jsonb := '[]';
  targets jsonb;
begin
  for node in select value from jsonb_array_elements(coalesce(doc -> 'content', '[]')) loop
    if node ->> 'type' = 'heading' then
      if coalesce((node -> 'attrs' ->> 'level')::integer, 1) <= 2 then
        section := private.plan_node_text(node);
        part := '';
      else
        part := coalesce(private.plan_part_of_heading(lower(private.plan_node_text(node))), '');
      end if;
    elsif part = 'objectives' then
      body := private.plan_node_text(node);
      if body <> '' then objectives := objectives || jsonb_build_array(jsonb_build_array(section, body)); end if;
    end if;
  end loop;
  select coalesce(jsonb_agg(jsonb_build_array(k.capability, k.indicator, k.target) order by k.n), '[]') into targets
  from private.plan_kpis(doc) with ordinality as k(kpi_key, capability, position, indicator, unit, baseline, target,
                                                   target_date, problems, n);
  return jsonb_build_object('objectives', objectives, 'kpi_targets', targets);
end
$$;
revoke execute on function private.plan_commitments(jsonb) from public;
