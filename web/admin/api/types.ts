import type { ConsentGrantedBy, Gender, TeamLevel, TeamMemberStatus, VolunteerSource } from '../../common/labels';
import type { ApiBody, ApiResponse, Schemas } from '../../common/api-types';

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

export interface Volunteer {
  id: string;
  volunteerNo: string;
  name: string;
  gender: Gender;
  birthDate: string;
  idNumberMasked: string;
  phoneMasked: string | null;
  regionCode: string;
  regionName?: string | null;
  verified: boolean;
  verifiedAt: string | null;
  skills: string[];
  categories: string[];
  availability: string;
  serviceArea: string;
  politicalStatus: string;
  education: string;
  occupation: string;
  guardianName: string | null;
  guardianPhoneMasked: string | null;
  guardianRelation: string | null;
  source: VolunteerSource;
  userId?: string | null;
  createdAt: string;
}

export interface VolunteerTeam {
  teamId: string;
  name: string;
  level: TeamLevel;
  category: string;
  status: TeamMemberStatus;
  isLeader: boolean;
}

export interface VolunteerConsent {
  purpose: string;
  purposeText: string;
  version: string;
  grantedBy: ConsentGrantedBy;
  guardianName?: string | null;
  at: string;
  revokedAt?: string | null;
}

export interface VolunteerDetail extends Volunteer {
  teams: VolunteerTeam[];
  consents: VolunteerConsent[];
}

export interface VolunteerProfileInput {
  phone?: string | null;
  regionCode?: string;
  skills?: string[];
  categories?: string[];
  availability?: string;
  serviceArea?: string;
  politicalStatus?: string;
  education?: string;
  occupation?: string;
  guardianName?: string | null;
  guardianPhone?: string | null;
  guardianRelation?: string | null;
}

export interface VolunteerCreateInput extends VolunteerProfileInput {
  name: string;
  idNumber: string;
  regionCode: string;
  guardianConsent?: boolean;
  verified?: boolean;
}

export interface VolunteerUpdateInput extends VolunteerProfileInput {
  name?: string;
}

export type RevealField = 'idNumber' | 'phone' | 'guardianPhone';

export interface ImportResult {
  total: number;
  imported: number;
  merged: number;
  failed: number;
  errorReportUrl: string | null;
}

export interface Job<R = ImportResult> {
  id: string;
  kind: string;
  status: 'running' | 'succeeded' | 'failed';
  processed: number;
  total: number;
  percent: number;
  result: R | null;
  error: string | null;
  createdAt?: string;
  finishedAt?: string | null;
}

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
