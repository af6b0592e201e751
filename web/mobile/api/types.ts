/** Shapes of the API answers the H5 reads (see /api/openapi.json). */
import type { Schemas } from '../../common/api-types';

// Answers of the converted modules: generated from the server's OpenAPI document (npm run gen:api), never by hand.
export type RoleAssignment = Schemas['RoleAssignment'];
export type Me = Schemas['Me'];
export type LoginResult = Schemas['LoginResult'];
export type SiteContact = Schemas['SiteContact'];
export type SiteCompliance = Schemas['SiteCompliance'];
export type Site = Schemas['Site'];
export type SitePhoto = Schemas['FileRef'];
export type SiteDetail = Schemas['SiteDetail'];
export type RegionRef = Schemas['RegionName'];
export type NearbySite = Schemas['NearbySite'];
export type NearbySites = Schemas['NearbySites'];
export type RegionOption = Schemas['Region'];
export type RegionDetail = Schemas['RegionDetail'];

// Teams: generated from the server's response schemas. Volunteers: not yet generated.
export type TeamCategory = Schemas['TeamCategory'];

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

export type MyTeams = Schemas['MyTeams'];
export type MyTeam = MyTeams['mine'][number];
export type JoinableTeam = MyTeams['joinable'][number];

export interface JoinRequest {
  volunteerId: string;
  name: string;
  volunteerNo: string;
  phoneMasked?: string | null;
  requestedAt: string;
  note?: string | null;
}
