-- Issue 16: KPIs in the action plan are structured data. private.plan_kpis reads the KPI rows of a plan's ProseMirror
-- JSON (action_plans.content, or a frozen plan_versions.content) as typed rows: indicator, unit, baseline, target and
-- target date, with the capability section each sits in, a key that stays the same across versions of a plan, and
-- the problems that keep a row from typing. Reporting (progress against the KPIs) and the freeze checks read it.
--
-- KPI tables written by the editor carry attrs kind = 'kpi' (and the capability code) and five columns in this order:
-- indicator, unit, baseline, target, target date; each body row carries attrs kpiKey. Older plans have free-text
-- tables under a "Key performance indicators" heading (any of the six languages), often with the old four columns
-- (no unit): those are read leniently, columns found by their header, and a row without a kpiKey gets
-- `<capability>.<position>`, the key the collaboration server gives it when it converts the live document.

/** A number as people type it: "1 200", "1,200.5", "1.200,5", "45 %", "45%", Arabic-Indic digits. Null otherwise. */
create function private.kpi_number(value text) returns numeric
language plpgsql immutable set search_path = '' as $$
declare
  s text := value;
begin
  if s is null then return null; end if;
  s := translate(s, '٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬−', '01234567890123456789.,-');
  -- Spaces (no-break and thin ones too) and apostrophes group thousands; a trailing percent sign is the unit's.
  s := regexp_replace(s, '[[:space:]\u00a0\u2007\u2009\u202f''’]', '', 'g');
  s := regexp_replace(s, '[%٪]$', '');
  if s = '' then return null; end if;
  if s ~ ',' and s ~ '\.' then
    -- Both marks: the last one is the decimal mark.
    if length(s) - length(regexp_replace(s, '^.*,', '')) > length(s) - length(regexp_replace(s, '^.*\.', '')) then
      s := replace(replace(s, '.', ''), ',', '.');
    else
      s := replace(s, ',', '');
    end if;
  elsif s ~ ',' then
    s := case when s ~ '^[+-]?[0-9]{1,3}(,[0-9]{3})+$' then replace(s, ',', '') else replace(s, ',', '.') end;
  elsif s ~ '^[+-]?[0-9]{1,3}(\.[0-9]{3}){2,}$' then
    s := replace(s, '.', '');
  end if;
  if s !~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$' then return null; end if;
  return s::numeric;
end
$$;

/** A date as people type it: ISO (2028-12-31) or day first (31/12/2028, 31.12.2028, 31-12-2028). Null otherwise. */
create function private.kpi_date(value text) returns date
language plpgsql immutable set search_path = '' as $$
declare
  s text := btrim(translate(coalesce(value, ''), '٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹', '01234567890123456789'));
  m text[];
begin
  m := regexp_match(s, '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$');
  if m is not null then return make_date(m[1]::int, m[2]::int, m[3]::int); end if;
  m := regexp_match(s, '^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$');
  if m is not null then return make_date(m[3]::int, m[2]::int, m[1]::int); end if;
  return null;
exception when others then
  -- 31/02/2028 and the like.
  return null;
end
$$;

/** The text of a table cell: its paragraphs' text, joined by a space. */
create function private.kpi_cell_text(cell jsonb) returns text
language sql immutable set search_path = '' as $$
  select nullif(btrim(coalesce(string_agg(private.plan_node_text(p), ' ' order by n), '')), '')
  from jsonb_array_elements(case when jsonb_typeof(cell -> 'content') = 'array' then cell -> 'content' else '[]' end)
       with ordinality as x(p, n)
$$;

/**
 * Which KPI field a header cell names, in any of the six languages (app/i18n/locales planTemplate.kpiColumns): the
 * date first ("Target date"), then unit, baseline, target and indicator.
 */
create function private.kpi_column_role(header text) returns text
language sql immutable set search_path = '' as $$
  select case
    when header ~* 'date|fecha|échéance|deadline|التاريخ|[Дд]ата|[Сс]рок|日期|期限' then 'target_date'
    when header ~* 'unit|unidad|الوحدة|[Ее]диниц|单位' then 'unit'
    when header ~* 'baseline|base|référence|reference|خط الأساس|[Ии]сходн|基线' then 'baseline'
    when header ~* 'target|cible|meta|objetivo|الهدف|المستهدف|[Цц]елев|目标' then 'target'
    when header ~* 'indicat|kpi|المؤشر|مؤشر|[Пп]оказател|指标' then 'indicator'
  end
$$;

/**
 * One row per KPI row of a plan document, in document order. `capability` is the code of the strategic-capability
 * section the table sits in (the table's capability attribute, else the level-2 heading naming a capability in any
 * language, else 'general'); `position` counts the capability's KPI rows from 1; `kpi_key` is the row's kpiKey, or
 * `<capability>.<position>` for a row without one (or whose key an earlier row already has: a copied row).
 * `problems` is empty when the row types, else: indicator_missing, unit_missing, baseline_missing,
 * baseline_not_number, target_missing, target_not_number, target_date_missing, target_date_invalid.
 * Blank rows (no text at all) and header rows are not KPIs.
 */
create function private.plan_kpis(content jsonb)
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
        in_kpis := heading ~* 'indicat|kpi|مؤشر|[Пп]оказател|指标';
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

revoke execute on function private.kpi_number(text), private.kpi_date(text), private.kpi_cell_text(jsonb),
  private.kpi_column_role(text), private.plan_kpis(jsonb) from public;
-- Pure functions of their input (and the public list of capabilities): the security-definer functions that report
-- against the KPIs call them, and so may policies.
grant execute on function private.kpi_number(text), private.kpi_date(text), private.kpi_cell_text(jsonb),
  private.kpi_column_role(text), private.plan_kpis(jsonb) to authenticated, service_role;
