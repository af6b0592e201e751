import type {
  ComplianceStatus,
  ConsentGrantedBy,
  Gender,
  RegionLevel,
  Scope,
  SiteKind,
  TeamLevel,
  TeamMemberStatus,
  VolunteerSource,
} from '../../common/labels';

export interface RoleAssignment {
  id?: string;
  role: string;
  roleName?: string;
  regionCode?: string | null;
  regionName?: string | null;
  scope: Scope;
}

export interface Me {
  id: string;
  name: string;
  phoneMasked?: string;
  regionCode?: string | null;
  regionName?: string | null;
  roles: RoleAssignment[];
  permissions: string[];
  volunteerId?: string | null;
  householdId?: string | null;
}

export interface LoginResult {
  token: string;
  csrfToken?: string;
  user: Omit<Me, 'phoneMasked'> & { phoneMasked?: string };
}

export interface Region {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  hasChildren?: boolean;
  ancestors?: Pick<Region, 'code' | 'name' | 'level'>[];
}

export interface SiteContact {
  name: string;
  phone: string;
  role?: string;
}

export interface SiteCompliance {
  status: ComplianceStatus;
  score: number | null;
  inspectedAt: string | null;
}

export interface FileRef {
  id: string;
  url: string;
  mime?: string;
  size?: number;
}

export interface StandardItem {
  code: string;
  name: string;
  description?: string | null;
}

export interface Standard {
  id: string;
  code: string;
  name: string;
  items: StandardItem[];
  kinds: SiteKind[];
  passScore: number;
  isDefault?: boolean;
}

export interface InspectionResult {
  itemCode: string;
  itemName?: string;
  passed: boolean;
  note?: string | null;
  photoIds?: string[];
  photos?: FileRef[];
}

export interface Inspection {
  id: string;
  inspectedAt: string;
  inspectorName?: string | null;
  standard?: { id: string; name: string; code?: string } | null;
  results: InspectionResult[];
  passedCount: number;
  totalCount: number;
  score: number;
  compliant: boolean;
  note?: string | null;
}

export interface Site {
  id: string;
  kind: SiteKind;
  name: string;
  regionCode: string;
  regionName?: string | null;
  address: string;
  openingHours?: string | null;
  facilities?: string[] | null;
  isDemo?: boolean;
  lat?: number | null;
  lng?: number | null;
  capacity?: number | null;
  contacts?: SiteContact[] | null;
  description?: string | null;
  standardId?: string | null;
  compliance?: SiteCompliance | null;
}

export interface SiteDetail extends Site {
  standard?: Pick<Standard, 'id' | 'code' | 'name' | 'items'> | null;
  latestInspection?: Inspection | null;
  photos?: FileRef[] | null;
}

export interface SiteInput {
  kind: SiteKind;
  name: string;
  regionCode: string;
  address: string;
  lat?: number | null;
  lng?: number | null;
  capacity?: number | null;
  openingHours?: string;
  facilities?: string[];
  contacts?: SiteContact[];
  description?: string;
  standardId?: string | null;
  isDemo?: boolean;
}

export interface InspectionInput {
  standardId?: string;
  inspectedAt?: string;
  results: { itemCode: string; passed: boolean; note?: string; photoIds?: string[] }[];
  note?: string;
}

export interface CoverageFigures {
  villages: number;
  villagesWithStation: number;
  villagesCompliant: number;
  coverageRate: number;
  complianceRate: number;
}

export interface CoverageByRegion extends CoverageFigures {
  code: string;
  name: string;
}

export interface Coverage extends CoverageFigures {
  byRegion: CoverageByRegion[];
}

export interface User {
  id: string;
  name: string;
  phoneMasked: string;
  regionCode?: string | null;
  regionName?: string | null;
  active: boolean;
  locked: boolean;
  roles: RoleAssignment[];
  createdAt: string;
}

export interface UserCreateInput {
  name: string;
  phone: string;
  password: string;
  regionCode?: string;
  roles: { role: string; regionCode?: string; scope: Scope }[];
}

export interface Role {
  code: string;
  name: string;
  description?: string | null;
  permissions: string[];
  duty?: string | null;
}

export interface Permission {
  code: string;
  name: string;
  group?: string | null;
}

export type SettingType = 'integer' | 'number' | 'boolean' | 'string' | 'integerList' | 'stringList';
export type SettingValue = number | boolean | string | number[] | string[] | null;

export interface SettingDefinition {
  key: string;
  label: string;
  group?: string | null;
  type: SettingType;
  min?: number;
  max?: number;
  unit?: string;
  description?: string | null;
  default?: SettingValue;
}

export interface AuditEvent {
  chain: string;
  seq: number;
  at: string;
  actorName?: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  ip?: string | null;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  problems: { chain: string; seq: number; problem: string }[];
}

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

export interface TeamCategory {
  code: string;
  name: string;
  standing: boolean;
}

export interface Team {
  id: string;
  name: string;
  level: TeamLevel;
  levelName?: string;
  category: string;
  categoryName?: string;
  regionCode: string;
  regionName?: string | null;
  siteId: string | null;
  parentId: string | null;
  leaderVolunteerId: string | null;
  leaderName: string | null;
  isBrand: boolean;
  description: string | null;
  createdAt: string;
  memberCount: number;
  pendingCount: number;
  lastActiveAt: string | null;
  inactive: boolean;
}

export interface TeamNode extends Team {
  children: TeamNode[];
}

export interface TeamPage {
  items: Team[];
  total: number;
  page: number;
  pageSize: number;
  /** The setting teams.inactiveDays the inactive flag was computed with. */
  inactiveDays?: number;
}

export interface TeamRef {
  id: string;
  name: string;
  level: TeamLevel;
}

export interface TeamDetail extends Team {
  site: { id: string; name: string } | null;
  parent: TeamRef | null;
  children: TeamRef[];
}

export interface TeamInput {
  name: string;
  level: TeamLevel;
  category: string;
  regionCode: string;
  parentId?: string | null;
  siteId?: string | null;
  leaderVolunteerId?: string | null;
  isBrand?: boolean;
  description?: string;
}

export interface TeamMember {
  volunteerId: string;
  name: string;
  volunteerNo: string;
  gender: Gender;
  phoneMasked: string | null;
  verified: boolean;
  status: 'active' | 'pending';
  note: string | null;
  requestedAt: string | null;
  decidedAt: string | null;
}
