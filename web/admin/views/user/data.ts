import { optionsOf, scopeLabels, type Scope } from '../../../common/labels';
import type { RoleAssignment, User } from '../../api';

export const scopeOptions = optionsOf(scopeLabels);

export interface RoleRow {
  role: string;
  regionCode: string;
  regionName: string;
  scope: Scope;
}

export interface UserForm {
  name: string;
  phone: string;
  password: string;
  regionCode: string;
  regionName: string;
  roles: RoleRow[];
}

export function blankUserForm(): UserForm {
  return { name: '', phone: '', password: '', regionCode: '', regionName: '', roles: [] };
}

export function userToForm(u: User): UserForm {
  return {
    name: u.name,
    phone: u.phoneMasked,
    password: '',
    regionCode: u.regionCode ?? '',
    regionName: u.regionName ?? '',
    roles: u.roles.map((r: RoleAssignment) => ({
      role: r.role,
      regionCode: r.regionCode ?? '',
      regionName: r.regionName ?? '',
      scope: r.scope,
    })),
  };
}

/** Scopes tied to a place need the place. */
export const scopeNeedsRegion = (scope: Scope): boolean => scope === 'own' || scope === 'subtree';

export function rolesToInput(rows: RoleRow[]): { role: string; regionCode?: string; scope: Scope }[] {
  return rows.map((r) => ({ role: r.role, scope: r.scope, ...(r.regionCode ? { regionCode: r.regionCode } : {}) }));
}

export const PHONE = /^1\d{10}$/;
export const STRONG_PASSWORD = /^(?=.*[A-Za-z])(?=.*\d).{8,64}$/;
