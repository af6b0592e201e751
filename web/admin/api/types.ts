import type { ApiBody, ApiQuery, ApiResponse, Schemas } from '../../common/api-types';

// Answers of the converted modules: generated from the server's OpenAPI document (npm run gen:api), never by hand.
export type RoleAssignment = Schemas['RoleAssignment'];
export type Me = Schemas['Me'];
export type LoginResult = Schemas['LoginResult'];
export type Region = Schemas['Region'];
export type RegionDetail = Schemas['RegionDetail'];
export type FileRef = Schemas['FileRef'];
export type UploadedFile = Schemas['UploadedFile'];
export type SiteContact = Schemas['SiteContact'];
export type SiteCompliance = Schemas['SiteCompliance'];
export type Site = Schemas['Site'];
export type SiteDetail = Schemas['SiteDetail'];
export type StandardItem = Schemas['StandardItem'];
export type Standard = Schemas['Standard'];
export type InspectionResult = Schemas['InspectionResult'];
export type Inspection = Schemas['Inspection'];
export type Coverage = Schemas['Coverage'];
export type CoverageByRegion = Schemas['CoverageByRegion'];
export type StatsFigure = Schemas['StatsFigure'];
export type StatsOverview = Schemas['StatsOverview'];
export type StatsRegionFigures = NonNullable<StatsOverview['regions']>[number];
export type StatsRows = Schemas['StatsRows'];
export type StatsRow = StatsRows['items'][number];
export type StatsSeries = Schemas['StatsSeries'];
export type StatsOverviewQuery = ApiQuery<'/api/v1/stats/overview', 'get'>;
export type StatsRowsQuery = ApiQuery<'/api/v1/stats/rows', 'get'>;
export type StatsPeriodQuery = ApiQuery<'/api/v1/stats/series', 'get'>;
export type AnnualReport = Schemas['AnnualReport'];
export type AnnualReportSection = AnnualReport['sections'][number];
export type AnnualReportQuery = Omit<ApiQuery<'/api/v1/reports/annual', 'get'>, 'format'>;
export type AnnualReportNotesInput = ApiBody<'/api/v1/reports/annual/notes', 'put'>;
export type User = Schemas['User'];
export type Role = Schemas['Role'];
export type Permission = Schemas['PermissionInfo'];
export type SettingValue = Schemas['SettingValue'];
export type SettingDefinition = Schemas['SettingDefinition'];
export type SettingType = SettingDefinition['type'];
export type AuditEvent = Schemas['AuditEvent'];
export type AuditVerifyResult = Schemas['AuditVerifyResult'];

// What the forms send: the routes' request bodies, from the same document.
export type SiteInput = ApiBody<'/api/v1/sites', 'post'>;
export type InspectionInput = ApiBody<'/api/v1/sites/{id}/inspections', 'post'>;
export type StandardInput = ApiBody<'/api/v1/standards', 'post'>;
export type UserCreateInput = ApiBody<'/api/v1/users', 'post'>;
export type UserUpdateInput = ApiBody<'/api/v1/users/{id}', 'patch'>;
export type RoleInput = ApiBody<'/api/v1/users/{id}/roles', 'put'>['roles'][number];

// Volunteers and jobs: generated from the server's response schemas (server/modules/volunteers/schema.ts).
export type Volunteer = Schemas['Volunteer'];
export type VolunteerDetail = Schemas['VolunteerDetail'];
export type VolunteerTeam = VolunteerDetail['teams'][number];
export type VolunteerConsent = VolunteerDetail['consents'][number];
export type VolunteerAction = Schemas['VolunteerAction'];
export type VolunteerCreateInput = ApiBody<'/api/v1/volunteers', 'post'>;
export type VolunteerUpdateInput = ApiBody<'/api/v1/volunteers/{id}', 'patch'>;
export type VolunteerProfileInput = Omit<VolunteerUpdateInput, 'name'>;
export type VolunteerQuery = ApiQuery<'/api/v1/volunteers', 'get'>;
export type RevealField = Schemas['VolunteerReveal']['field'];
export type ImportResult = Omit<Schemas['VolunteerImportResult'], 'jobId'>;
/** A background job; `result` is the kind's own (an import's: ImportResult). */
export type Job<R = ImportResult> = Omit<Schemas['Job'], 'result'> & { result: R | null };

// Teams: generated from the server's response schemas (server/modules/teams/schema.ts).
export type TeamCategory = Schemas['TeamCategory'];
export type Team = Schemas['Team'];
export type TeamNode = Schemas['TeamNode'];
/** The list's page; `inactiveDays` (the setting the flag was computed with) is absent before the first load. */
export type TeamPage = Omit<ApiResponse<'/api/v1/teams', 'get'>, 'inactiveDays'> & { inactiveDays?: number };
export type TeamDetail = Schemas['TeamDetail'];
export type TeamRef = TeamDetail['children'][number];
export type TeamInput = ApiBody<'/api/v1/teams', 'post'>;
export type TeamMember = Schemas['TeamMember'];
