-- Issue 15 with issue 18: a plan's template is written in the application's language, but the detection of major
-- amendments (20261203000200, private.plan_commitments) looked for the English headings "Objectives" and "Key
-- performance indicators" only, so an Arabic or Chinese plan whose KPI target changed passed as minor. The headings
-- are now found in all six languages with the patterns of private.plan_missing_parts (20261203000610), except
-- "indica" for "indicat" so the Spanish "Indicadores" is found too; Cyrillic words list both cases, as lower() and ~*
-- fold ASCII only under the C collation. Detection stays on the headings
-- and section text (the typed KPI tables of issue 16 are a separate record).

create or replace function private.plan_commitments(doc jsonb) returns jsonb
language plpgsql immutable set search_path = '' as $$
declare
  node jsonb;
  tablerow jsonb;
  section text := '';
  part text := '';
  heading text;
  body text;
  objectives jsonb := '[]';
  targets jsonb := '[]';
begin
  for node in select value from jsonb_array_elements(coalesce(doc -> 'content', '[]')) loop
    if node ->> 'type' = 'heading' then
      heading := private.plan_node_text(node);
      if coalesce((node -> 'attrs' ->> 'level')::integer, 1) <= 2 then
        section := heading;
        part := '';
      elsif lower(heading) ~* 'objecti|objetivo|الأهداف|[Цц]ел|目标' then
        part := 'objectives';
      elsif lower(heading) ~* 'indica|kpi|مؤشر|[Пп]оказател|指标' then
        part := 'kpis';
      else
        part := '';
      end if;
    elsif part = 'objectives' then
      body := private.plan_node_text(node);
      if body <> '' then objectives := objectives || jsonb_build_array(jsonb_build_array(section, body)); end if;
    elsif part = 'kpis' and node ->> 'type' = 'table' then
      for tablerow in select value from jsonb_array_elements(coalesce(node -> 'content', '[]')) loop
        if tablerow -> 'content' -> 0 ->> 'type' = 'tableCell' then
          targets := targets || jsonb_build_array(jsonb_build_array(section,
            private.plan_node_text(tablerow -> 'content' -> 0), private.plan_node_text(tablerow -> 'content' -> 2)));
        end if;
      end loop;
    end if;
  end loop;
  return jsonb_build_object('objectives', objectives, 'kpi_targets', targets);
end
$$;
revoke execute on function private.plan_commitments(jsonb) from public;
