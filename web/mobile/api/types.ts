/** Shapes of the API answers the H5 reads (see /api/openapi.json). */
import type { ApiBody, Schemas } from '../../common/api-types';

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

// Teams and volunteers: generated from the server's response schemas.
export type TeamCategory = Schemas['TeamCategory'];
export type ConsentText = Schemas['ConsentTexts']['items'][number];
export type PoliticalStatus = '中共党员' | '中共预备党员' | '共青团员' | '民主党派' | '群众';
export type VolunteerRegistration = ApiBody<'/api/v1/volunteers', 'post'>;
export type VolunteerCreated = Schemas['Volunteer'];
export type VolunteerProfile = Schemas['VolunteerDetail'];
export type VolunteerTeamRef = VolunteerProfile['teams'][number];

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
