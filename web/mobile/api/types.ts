/** Shapes of the API answers the H5 reads (see /api/openapi.json). */

export interface RoleAssignment {
  role: string;
  roleName?: string;
  regionCode?: string | null;
  regionName?: string | null;
  scope?: string;
}

export interface Me {
  id: string;
  name: string;
  phoneMasked?: string | null;
  regionCode?: string | null;
  regionName?: string | null;
  roles: RoleAssignment[];
  permissions?: string[];
  volunteerId?: string | null;
  householdId?: string | null;
}

export interface LoginResult {
  token: string;
  csrfToken?: string;
  user: { id: string; name: string; roles: RoleAssignment[]; permissions?: string[] };
}

export interface SiteContact {
  name: string;
  phone: string;
}

export interface SiteCompliance {
  status: string;
  score?: number | null;
  inspectedAt?: string | null;
}

export interface Site {
  id: string;
  kind: string;
  name: string;
  regionCode: string;
  regionName?: string | null;
  address?: string | null;
  openingHours?: string | null;
  facilities?: string[] | null;
  contacts?: SiteContact[] | null;
  lat?: number | null;
  lng?: number | null;
  isDemo?: boolean;
  distanceKm?: number | null;
  compliance?: SiteCompliance | null;
  capacity?: number | null;
}

export interface SitePhoto {
  id: string;
  url: string;
}

/** GET /sites/:id adds the description and photos to what the lists carry. */
export interface SiteDetail extends Site {
  description?: string | null;
  photos?: SitePhoto[];
}

export interface RegionRef {
  code: string;
  name: string;
}

export interface NearbySites {
  region: RegionRef | null;
  town: RegionRef | null;
  items: Site[];
}

export interface RegionOption {
  code: string;
  name: string;
  level: 'county' | 'town' | 'village';
  parentCode: string | null;
  hasChildren: boolean;
}

export interface RegionDetail {
  code: string;
  name: string;
  level: 'county' | 'town' | 'village';
  ancestors: { code: string; name: string; level: string }[];
}

export interface TeamCategory {
  code: string;
  name: string;
  standing?: boolean;
}

export interface ConsentText {
  purpose: string;
  version: string;
  text: string;
}

export type PoliticalStatus = '中共党员' | '中共预备党员' | '共青团员' | '民主党派' | '群众';

export interface VolunteerRegistration {
  name: string;
  idNumber: string;
  phone?: string | null;
  regionCode: string;
  categories: string[];
  skills: string[];
  availability: string;
  politicalStatus?: PoliticalStatus | '';
  guardianName?: string;
  guardianPhone?: string;
  guardianRelation?: string;
  guardianConsent?: boolean;
  consentToRegistration: boolean;
}

export interface VolunteerCreated {
  id: string;
  volunteerNo: string;
  name: string;
  gender: 'male' | 'female';
  birthDate: string;
  idNumberMasked: string;
  phoneMasked: string | null;
  verified: boolean;
}

export interface VolunteerTeamRef {
  teamId: string;
  name: string;
  level: string;
  category: string;
  status: 'active' | 'pending';
  isLeader: boolean;
}

export interface VolunteerProfile extends VolunteerCreated {
  regionCode: string;
  regionName?: string | null;
  verifiedAt?: string | null;
  skills: string[];
  categories: string[];
  availability?: string | null;
  politicalStatus?: string | null;
  guardianName?: string | null;
  guardianPhoneMasked?: string | null;
  guardianRelation?: string | null;
  createdAt?: string | null;
  teams: VolunteerTeamRef[];
}

export interface MyTeam {
  id: string;
  name: string;
  level: string;
  levelName: string;
  category: string;
  categoryName: string;
  status: 'active' | 'pending';
  isLeader: boolean;
}

export interface JoinableTeam {
  id: string;
  name: string;
  levelName: string;
  categoryName: string;
  regionName?: string | null;
  isBrand: boolean;
  description?: string | null;
  memberCount: number;
}

export interface MyTeams {
  mine: MyTeam[];
  joinable: JoinableTeam[];
}

export interface JoinRequest {
  volunteerId: string;
  name: string;
  volunteerNo: string;
  phoneMasked?: string | null;
  requestedAt: string;
  note?: string | null;
}
