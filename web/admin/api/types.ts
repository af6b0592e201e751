import type { ComplianceStatus, RegionLevel, Scope, SiteKind } from '../../common/labels';

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
