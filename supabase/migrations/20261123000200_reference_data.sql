-- Reference data from DOMAIN.md "Reference data". Production needs it, so it lives in a migration, not the seed.
-- Labels are jsonb keyed by ITU language code (ar, en, es, fr, ru, zh); English is always present.
-- Everyone (also anonymous visitors of the public call pages and directory) may read it; nobody writes it via the API.

create domain public.translated_text as jsonb
  check (value ? 'en' and jsonb_typeof(value -> 'en') = 'string');
comment on domain public.translated_text is 'A label in the ITU languages, keyed by code; English required.';

create type public.centre_scope as enum ('global', 'regional', 'national');
create type public.request_kind as enum ('establish', 'strengthen');

-- centre_types ---------------------------------------------------------------------------------------------------

create table public.centre_types (
  code text primary key,
  position smallint not null unique,
  label public.translated_text not null,
  ownership public.translated_text not null,
  resources public.translated_text not null,
  typical_scopes public.centre_scope[] not null
);
comment on table public.centre_types is
  'The four Acceleration Centre types with the guidance table applicants see; guidance, not a rule: BDT may recommend another.';
alter table public.centre_types enable row level security;

insert into public.centre_types (code, position, label, ownership, resources, typical_scopes) values
  ('technology_accelerator', 1,
   '{"en": "Technology Accelerator Centre", "fr": "Centre d''accélération technologique", "es": "Centro de aceleración tecnológica", "ar": "مركز التسريع التكنولوجي", "ru": "Центр ускорения технологий", "zh": "技术加速中心"}',
   '{"en": "ITU-owned and managed, or owned by the host country", "fr": "Détenu et géré par l''UIT, ou détenu par le pays hôte", "es": "Propiedad de la UIT y gestionado por ella, o propiedad del país anfitrión", "ar": "مملوك للاتحاد ويديره الاتحاد، أو مملوك للبلد المضيف", "ru": "Принадлежит МСЭ и управляется им или принадлежит принимающей стране", "zh": "由国际电联拥有和管理，或由东道国拥有"}',
   '{"en": "Sponsored by the host country; run by ITU or host-country staff", "fr": "Parrainé par le pays hôte ; géré par du personnel de l''UIT ou du pays hôte", "es": "Patrocinado por el país anfitrión; gestionado por personal de la UIT o del país anfitrión", "ar": "يرعاه البلد المضيف؛ ويديره موظفو الاتحاد أو موظفو البلد المضيف", "ru": "Спонсируется принимающей страной; управляется персоналом МСЭ или принимающей страны", "zh": "由东道国资助；由国际电联或东道国工作人员运营"}',
   '{global,regional}'),
  ('advanced_research_entrepreneurship', 2,
   '{"en": "Advanced Centre for Research and Entrepreneurship", "fr": "Centre avancé de recherche et d''entrepreneuriat", "es": "Centro avanzado de investigación y emprendimiento", "ar": "المركز المتقدم للبحث وريادة الأعمال", "ru": "Передовой центр исследований и предпринимательства", "zh": "高级研究与创业中心"}',
   '{"en": "Nationally owned; a regional centre is ITU''s focal point for a theme in its region", "fr": "Détenu au niveau national ; un centre régional est le point focal de l''UIT pour un thème dans sa région", "es": "De propiedad nacional; un centro regional es el punto focal de la UIT para un tema en su región", "ar": "مملوك وطنياً؛ والمركز الإقليمي هو جهة الاتصال التابعة للاتحاد بشأن موضوع ما في منطقته", "ru": "Находится в национальной собственности; региональный центр является координационным центром МСЭ по определенной теме в своем регионе", "zh": "国家所有；区域中心是国际电联在其区域内某一主题的联络中心"}',
   '{"en": "Sponsored by academic members, with multi-stakeholder and academic staff", "fr": "Parrainé par des établissements universitaires membres, avec un personnel multipartite et universitaire", "es": "Patrocinado por instituciones académicas miembros, con personal académico y de múltiples partes interesadas", "ar": "ترعاه الهيئات الأكاديمية الأعضاء، بموظفين من أصحاب المصلحة المتعددين ومن الأوساط الأكاديمية", "ru": "Спонсируется академическими организациями – членами МСЭ; персонал из представителей многих заинтересованных сторон и академических кругов", "zh": "由学术成员资助，配备多利益攸关方和学术人员"}',
   '{regional,national}'),
  ('innovation_digital_transformation', 3,
   '{"en": "Innovation and Digital Transformation Accelerator Centre", "fr": "Centre d''accélération de l''innovation et de la transformation numérique", "es": "Centro de aceleración de la innovación y la transformación digital", "ar": "مركز تسريع الابتكار والتحول الرقمي", "ru": "Центр ускорения инноваций и цифровой трансформации", "zh": "创新与数字化转型加速中心"}',
   '{"en": "Nationally owned; a regional centre is ITU''s focal point for a theme in its region", "fr": "Détenu au niveau national ; un centre régional est le point focal de l''UIT pour un thème dans sa région", "es": "De propiedad nacional; un centro regional es el punto focal de la UIT para un tema en su región", "ar": "مملوك وطنياً؛ والمركز الإقليمي هو جهة الاتصال التابعة للاتحاد بشأن موضوع ما في منطقته", "ru": "Находится в национальной собственности; региональный центр является координационным центром МСЭ по определенной теме в своем регионе", "zh": "国家所有；区域中心是国际电联在其区域内某一主题的联络中心"}',
   '{"en": "Sponsored and staffed by the host country", "fr": "Parrainé et doté en personnel par le pays hôte", "es": "Patrocinado y dotado de personal por el país anfitrión", "ar": "يرعاه البلد المضيف ويزوده بالموظفين", "ru": "Спонсируется принимающей страной и укомплектовывается ее персоналом", "zh": "由东道国资助并配备人员"}',
   '{regional,national}'),
  ('initiative_accelerator', 4,
   '{"en": "Initiative Accelerator Centre", "fr": "Centre d''accélération des initiatives", "es": "Centro de aceleración de iniciativas", "ar": "مركز تسريع المبادرات", "ru": "Центр ускорения инициатив", "zh": "倡议加速中心"}',
   '{"en": "Hosted inside an existing institution", "fr": "Hébergé au sein d''une institution existante", "es": "Alojado en una institución existente", "ar": "تستضيفه مؤسسة قائمة", "ru": "Размещается в существующем учреждении", "zh": "设在现有机构内"}',
   '{"en": "The host organisation''s existing resources", "fr": "Ressources existantes de l''organisation hôte", "es": "Recursos existentes de la organización anfitriona", "ar": "الموارد القائمة للمنظمة المضيفة", "ru": "Имеющиеся ресурсы принимающей организации", "zh": "东道组织的现有资源"}',
   '{regional,national}');

-- strategic_capabilities -----------------------------------------------------------------------------------------

create table public.strategic_capabilities (
  code text primary key,
  position smallint not null unique,
  label public.translated_text not null,
  description public.translated_text not null
);
comment on table public.strategic_capabilities is 'The five strategic capabilities; a centre takes one strategic objective per capability it covers.';
alter table public.strategic_capabilities enable row level security;

insert into public.strategic_capabilities (code, position, label, description) values
  ('future_readiness', 1, '{"en": "Future readiness", "fr": "Préparation à l''avenir", "es": "Preparación para el futuro", "ar": "الجاهزية للمستقبل", "ru": "Готовность к будущему", "zh": "面向未来的准备"}', '{"en": "Research on trends that will shape digital innovation", "fr": "Recherche sur les tendances qui façonneront l''innovation numérique", "es": "Investigación sobre las tendencias que configurarán la innovación digital", "ar": "البحث في الاتجاهات التي ستشكّل الابتكار الرقمي", "ru": "Исследование тенденций, которые будут определять цифровые инновации", "zh": "研究将塑造数字创新的趋势"}'),
  ('open_technology_innovation', 2, '{"en": "Open technology innovation", "fr": "Innovation technologique ouverte", "es": "Innovación tecnológica abierta", "ar": "الابتكار التكنولوجي المفتوح", "ru": "Открытые технологические инновации", "zh": "开放式技术创新"}', '{"en": "Open, collaborative development of technology", "fr": "Développement ouvert et collaboratif de technologies", "es": "Desarrollo abierto y colaborativo de tecnología", "ar": "التطوير المفتوح والتعاوني للتكنولوجيا", "ru": "Открытая совместная разработка технологий", "zh": "开放、协作的技术开发"}'),
  ('entrepreneurship_sme_growth', 3, '{"en": "Entrepreneurship and SME growth", "fr": "Entrepreneuriat et croissance des PME", "es": "Emprendimiento y crecimiento de las pymes", "ar": "ريادة الأعمال ونمو المنشآت الصغيرة والمتوسطة", "ru": "Предпринимательство и рост МСП", "zh": "创业和中小企业发展"}', '{"en": "Support for start-ups and small and medium-sized enterprises", "fr": "Soutien aux start-up et aux petites et moyennes entreprises", "es": "Apoyo a las empresas emergentes y a las pequeñas y medianas empresas", "ar": "دعم الشركات الناشئة والمنشآت الصغيرة والمتوسطة", "ru": "Поддержка стартапов и малых и средних предприятий", "zh": "支持初创企业和中小企业"}'),
  ('policy_experimentation', 4, '{"en": "Policy experimentation", "fr": "Expérimentation en matière de politiques", "es": "Experimentación en materia de políticas", "ar": "التجريب في مجال السياسات", "ru": "Экспериментирование в области политики", "zh": "政策试验"}', '{"en": "Testing policy and regulation for digital innovation", "fr": "Mise à l''essai de politiques et de réglementations pour l''innovation numérique", "es": "Puesta a prueba de políticas y reglamentaciones para la innovación digital", "ar": "اختبار السياسات واللوائح التنظيمية من أجل الابتكار الرقمي", "ru": "Апробация политики и регулирования в интересах цифровых инноваций", "zh": "为数字创新测试政策和监管"}'),
  ('ecosystem_initiative_acceleration', 5, '{"en": "Ecosystem initiative acceleration", "fr": "Accélération des initiatives de l''écosystème", "es": "Aceleración de iniciativas del ecosistema", "ar": "تسريع مبادرات النظام الإيكولوجي", "ru": "Ускорение инициатив экосистемы", "zh": "生态系统倡议加速"}', '{"en": "Speeding up initiatives across the innovation ecosystem", "fr": "Accélération des initiatives dans l''ensemble de l''écosystème de l''innovation", "es": "Aceleración de iniciativas en todo el ecosistema de innovación", "ar": "تسريع المبادرات في النظام الإيكولوجي للابتكار بأكمله", "ru": "Ускорение инициатив во всей инновационной экосистеме", "zh": "加快整个创新生态系统中的倡议"}');

-- itu_regions ----------------------------------------------------------------------------------------------------

create table public.itu_regions (
  code text primary key,
  position smallint not null unique,
  label public.translated_text not null
);
comment on table public.itu_regions is 'The six ITU-D regions that BDT reports on.';
alter table public.itu_regions enable row level security;

insert into public.itu_regions (code, position, label) values
  ('AFR', 1, '{"en": "Africa", "fr": "Afrique", "es": "África", "ar": "أفريقيا", "ru": "Африка", "zh": "非洲"}'),
  ('AMS', 2, '{"en": "Americas", "fr": "Amériques", "es": "Américas", "ar": "الأمريكتان", "ru": "Северная и Южная Америка", "zh": "美洲"}'),
  ('ARB', 3, '{"en": "Arab States", "fr": "États arabes", "es": "Estados Árabes", "ar": "الدول العربية", "ru": "Арабские государства", "zh": "阿拉伯国家"}'),
  ('ASP', 4, '{"en": "Asia and the Pacific", "fr": "Asie-Pacifique", "es": "Asia-Pacífico", "ar": "آسيا والمحيط الهادئ", "ru": "Азиатско-Тихоокеанский регион", "zh": "亚太"}'),
  ('CIS', 5, '{"en": "Commonwealth of Independent States", "fr": "Communauté des États indépendants", "es": "Comunidad de Estados Independientes", "ar": "كومنولث الدول المستقلة", "ru": "Содружество Независимых Государств", "zh": "独联体"}'),
  ('EUR', 6, '{"en": "Europe", "fr": "Europe", "es": "Europa", "ar": "أوروبا", "ru": "Европа", "zh": "欧洲"}');

-- regional_initiatives -------------------------------------------------------------------------------------------

create table public.regional_initiatives (
  code text primary key,
  region_code text not null references public.itu_regions (code),
  label public.translated_text not null
);
comment on table public.regional_initiatives is
  'WTDC-22 regional initiatives on innovation that an EoI may align with (codes from the Alliance document; full titles to be confirmed by BDT).';
alter table public.regional_initiatives enable row level security;

insert into public.regional_initiatives (code, region_code, label) values
  ('AFR4', 'AFR', '{"en": "AFR4: Africa regional initiative on innovation (WTDC-22)", "fr": "AFR4 : Initiative régionale pour l''Afrique sur l''innovation (CMDT-22)", "es": "AFR4: Iniciativa regional para África sobre innovación (CMDT-22)", "ar": "AFR4: المبادرة الإقليمية لأفريقيا بشأن الابتكار (WTDC-22)", "ru": "AFR4: Региональная инициатива для Африки по инновациям (ВКРЭ-22)", "zh": "AFR4：非洲区域性创新举措（WTDC-22）"}'),
  ('AMS3', 'AMS', '{"en": "AMS3: Americas regional initiative on innovation (WTDC-22)", "fr": "AMS3 : Initiative régionale pour les Amériques sur l''innovation (CMDT-22)", "es": "AMS3: Iniciativa regional para las Américas sobre innovación (CMDT-22)", "ar": "AMS3: المبادرة الإقليمية للأمريكتين بشأن الابتكار (WTDC-22)", "ru": "AMS3: Региональная инициатива для Северной и Южной Америки по инновациям (ВКРЭ-22)", "zh": "AMS3：美洲区域性创新举措（WTDC-22）"}'),
  ('ARB4', 'ARB', '{"en": "ARB4: Arab States regional initiative on innovation (WTDC-22)", "fr": "ARB4 : Initiative régionale pour les États arabes sur l''innovation (CMDT-22)", "es": "ARB4: Iniciativa regional para los Estados Árabes sobre innovación (CMDT-22)", "ar": "ARB4: المبادرة الإقليمية للدول العربية بشأن الابتكار (WTDC-22)", "ru": "ARB4: Региональная инициатива для Арабских государств по инновациям (ВКРЭ-22)", "zh": "ARB4：阿拉伯国家区域性创新举措（WTDC-22）"}'),
  ('ASP4', 'ASP', '{"en": "ASP4: Asia and the Pacific regional initiative on innovation (WTDC-22)", "fr": "ASP4 : Initiative régionale pour l''Asie-Pacifique sur l''innovation (CMDT-22)", "es": "ASP4: Iniciativa regional para Asia-Pacífico sobre innovación (CMDT-22)", "ar": "ASP4: المبادرة الإقليمية لآسيا والمحيط الهادئ بشأن الابتكار (WTDC-22)", "ru": "ASP4: Региональная инициатива для Азиатско-Тихоокеанского региона по инновациям (ВКРЭ-22)", "zh": "ASP4：亚太区域性创新举措（WTDC-22）"}'),
  ('CIS3', 'CIS', '{"en": "CIS3: CIS regional initiative on innovation (WTDC-22)", "fr": "CIS3 : Initiative régionale pour la CEI sur l''innovation (CMDT-22)", "es": "CIS3: Iniciativa regional para la CEI sobre innovación (CMDT-22)", "ar": "CIS3: المبادرة الإقليمية لكومنولث الدول المستقلة بشأن الابتكار (WTDC-22)", "ru": "CIS3: Региональная инициатива для СНГ по инновациям (ВКРЭ-22)", "zh": "CIS3：独联体区域性创新举措（WTDC-22）"}'),
  ('CIS5', 'CIS', '{"en": "CIS5: CIS regional initiative on innovation (WTDC-22)", "fr": "CIS5 : Initiative régionale pour la CEI sur l''innovation (CMDT-22)", "es": "CIS5: Iniciativa regional para la CEI sobre innovación (CMDT-22)", "ar": "CIS5: المبادرة الإقليمية لكومنولث الدول المستقلة بشأن الابتكار (WTDC-22)", "ru": "CIS5: Региональная инициатива для СНГ по инновациям (ВКРЭ-22)", "zh": "CIS5：独联体区域性创新举措（WTDC-22）"}'),
  ('EUR5', 'EUR', '{"en": "EUR5: Europe regional initiative on innovation (WTDC-22)", "fr": "EUR5 : Initiative régionale pour l''Europe sur l''innovation (CMDT-22)", "es": "EUR5: Iniciativa regional para Europa sobre innovación (CMDT-22)", "ar": "EUR5: المبادرة الإقليمية لأوروبا بشأن الابتكار (WTDC-22)", "ru": "EUR5: Региональная инициатива для Европы по инновациям (ВКРЭ-22)", "zh": "EUR5：欧洲区域性创新举措（WTDC-22）"}');

-- kigali_priorities ----------------------------------------------------------------------------------------------

create table public.kigali_priorities (
  code text primary key,
  position smallint not null unique,
  label public.translated_text not null
);
comment on table public.kigali_priorities is 'The Kigali Action Plan (WTDC-22) priorities an EoI may align with.';
alter table public.kigali_priorities enable row level security;

insert into public.kigali_priorities (code, position, label) values
  ('affordable_connectivity', 1, '{"en": "Affordable connectivity", "fr": "Connectivité financièrement abordable", "es": "Conectividad asequible", "ar": "التوصيلية الميسورة التكلفة", "ru": "Приемлемая в ценовом отношении возможность установления соединений", "zh": "可负担的连通性"}'),
  ('digital_transformation', 2, '{"en": "Digital transformation", "fr": "Transformation numérique", "es": "Transformación digital", "ar": "التحول الرقمي", "ru": "Цифровая трансформация", "zh": "数字化转型"}'),
  ('enabling_policy_regulation', 3, '{"en": "Enabling policy and regulatory environment", "fr": "Environnement politique et réglementaire favorable", "es": "Entorno político y reglamentario propicio", "ar": "بيئة سياساتية وتنظيمية مواتية", "ru": "Благоприятная политическая и регуляторная среда", "zh": "有利的政策和监管环境"}'),
  ('resource_mobilisation_cooperation', 4, '{"en": "Resource mobilisation and international cooperation", "fr": "Mobilisation de ressources et coopération internationale", "es": "Movilización de recursos y cooperación internacional", "ar": "تعبئة الموارد والتعاون الدولي", "ru": "Мобилизация ресурсов и международное сотрудничество", "zh": "资源调动和国际合作"}'),
  ('inclusive_secure_ict', 5, '{"en": "Inclusive and secure telecommunications/ICTs", "fr": "Télécommunications/TIC inclusives et sûres", "es": "Telecomunicaciones/TIC inclusivas y seguras", "ar": "اتصالات/تكنولوجيا معلومات واتصالات شاملة وآمنة", "ru": "Инклюзивные и безопасные электросвязь/ИКТ", "zh": "包容和安全的电信/信息通信技术"}');

-- read access ----------------------------------------------------------------------------------------------------

revoke insert, update, delete, truncate on public.centre_types, public.strategic_capabilities, public.itu_regions,
  public.regional_initiatives, public.kigali_priorities from anon, authenticated;

create policy "Anyone reads centre types" on public.centre_types for select to anon, authenticated using (true);
create policy "Anyone reads strategic capabilities" on public.strategic_capabilities for select to anon, authenticated using (true);
create policy "Anyone reads ITU regions" on public.itu_regions for select to anon, authenticated using (true);
create policy "Anyone reads regional initiatives" on public.regional_initiatives for select to anon, authenticated using (true);
create policy "Anyone reads Kigali priorities" on public.kigali_priorities for select to anon, authenticated using (true);
