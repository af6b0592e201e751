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
